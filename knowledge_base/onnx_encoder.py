"""The embedding model run by ONNX Runtime instead of torch: the same vectors, faster.

Torch runs a sentence-transformers model one small matrix product after the other; for one short
question that is mostly overhead. The same model exported to ONNX and run by ONNX Runtime on one
thread embedded a resident's question in 9.1 ms instead of 25.3 ms on an AVX2-only AMD EPYC, and
its vectors were torch's float32 ones to a cosine of 0.9999997 (measured on 100 starter
questions). `make setup` exports the tuned model next to it (models/embedding/onnx/); the
application uses it when it is there (`Settings.embedding_runtime`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np

from knowledge_base.embeddings import Vectors, offline, unit_rows

logger = logging.getLogger(__name__)

ONNX_FILE: Final = Path("onnx") / "model.onnx"
"""Where, inside a sentence-transformers model's folder, its export is."""
OPSET: Final = 17
_INPUTS: Final = ("input_ids", "attention_mask", "token_type_ids")
_BATCH: Final = 64


def onnx_file(model_dir: Path) -> Path:
    return model_dir / ONNX_FILE


def export(model_dir: Path) -> Path:
    """Export the sentence-transformers model in `model_dir`, its pooling and normalisation
    included, to `onnx_file(model_dir)`; the file it wrote."""
    offline()
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu").eval()

    class Sentences(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            features = {
                "input_ids": input_ids,
                "attention_mask": attention_mask,
                "token_type_ids": token_type_ids,
            }
            embedding: torch.Tensor = self.model(features)["sentence_embedding"]
            return embedding

    example = model.tokenizer(
        ["hoe vraag ik een parkeervergunning aan", "how do I apply for a permit"],
        padding=True,
        return_tensors="pt",
    )
    out = onnx_file(model_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    axes = {name: {0: "texts", 1: "tokens"} for name in _INPUTS}
    # The tracer warns of the branches it fixes (the attention mask is always given, as long as
    # the tokens) and of indexing with negative numbers, which the model does not do: the export
    # gives torch's vectors (tests/knowledge_base/test_onnx_encoder.py).
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=torch.jit._trace.TracerWarning)
        warnings.filterwarnings("ignore", "Exporting aten::index operator")
        torch.onnx.export(
            Sentences(),
            tuple(example[name] for name in _INPUTS),
            str(out),
            input_names=list(_INPUTS),
            output_names=["sentence_embedding"],
            dynamic_axes={**axes, "sentence_embedding": {0: "texts"}},
            opset_version=OPSET,
            dynamo=False,
        )
    logger.info("Exported %s to %s", model_dir, out)
    return out


class OnnxEncoder:
    """A sentence-transformers model's ONNX export (`export`), on one thread: see
    SentenceTransformerEncoder for why one."""

    parallel: Final = True
    """ONNX Runtime embeds without holding the GIL, so two threads embed at once."""

    def __init__(self, model_dir: Path) -> None:
        offline()
        import onnxruntime
        from transformers import AutoTokenizer

        path = onnx_file(model_dir)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self._max_tokens = int(config.get("max_seq_length") or 256)
        digest = hashlib.sha256(b"onnx")
        digest.update(str(self._max_tokens).encode())
        digest.update(path.read_bytes())
        self.model_identity = digest.hexdigest()
        logger.info(
            "Embedding model %s in ONNX Runtime has identity %s", path, self.model_identity[:12]
        )

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        # Texts of about one length batched together, as sentence-transformers does: a batch is
        # padded to its longest text.
        order = np.argsort([-len(text) for text in texts], kind="stable")
        batches = []
        for start in range(0, len(texts), _BATCH):
            tokens = self._tokenizer(
                [texts[i] for i in order[start : start + _BATCH]],
                padding=True,
                truncation=True,
                max_length=self._max_tokens,
                return_tensors="np",
            )
            feed = {name: np.asarray(tokens[name], dtype=np.int64) for name in _INPUTS}
            batches.append(self._session.run(None, feed)[0])
        vectors = np.empty((len(texts), batches[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(batches)
        return unit_rows(vectors)
