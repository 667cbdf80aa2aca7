"""The embedding model exported to ONNX Runtime gives torch's vectors, and is used only where
its export is there and up to date."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embeddings import (
    SentenceTransformerEncoder,
    bundled_model_path,
    load_encoder,
)
from knowledge_base.onnx_encoder import OnnxEncoder, export, onnx_file

TEXTS = [
    "mn id kwijt op vakantie wat nu",
    "Hoe vraag ik een parkeervergunning aan?",
    "x",
    "wanneer wordt het grofvuil opgehaald in mijn wijk, en moet ik het eerst aanmelden bij de "
    "gemeente of mag ik het gewoon op de stoep zetten",
    "my passport was stolen",
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled model in a folder of its own, exported."""
    model = tmp_path_factory.mktemp("embedding") / "model"
    shutil.copytree(bundled_model_path(), model)
    assert export(model) == onnx_file(model)
    return model


def test_the_export_gives_torchs_vectors_for_texts_of_any_length_together(exported: Path) -> None:
    onnx = OnnxEncoder(exported).encode(TEXTS)
    torch = SentenceTransformerEncoder(str(exported), precision="float32").encode(TEXTS)
    assert onnx.dtype == np.float32
    assert onnx.shape == torch.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-6)
    assert (onnx * torch).sum(axis=1).min() > 0.99999
    # Each text as it is alone: padding next to longer texts changes nothing.
    encoder = OnnxEncoder(exported)
    alone = np.vstack([encoder.encode([text]) for text in TEXTS])
    assert (alone * onnx).sum(axis=1).min() > 0.99999
    # More texts than one batch holds, each vector in its text's place.
    many = encoder.encode(TEXTS * 15)
    assert (many * np.tile(onnx, (15, 1))).sum(axis=1).min() > 0.99999
    assert encoder.encode([]).shape[0] == 0


def test_the_runtime_is_onnx_only_where_a_fresh_export_is(exported: Path, tmp_path: Path) -> None:
    model = str(exported)
    assert isinstance(load_encoder(model), OnnxEncoder)
    assert isinstance(load_encoder(model, runtime="torch"), SentenceTransformerEncoder)
    assert isinstance(load_encoder(model, precision="bfloat16"), SentenceTransformerEncoder)
    onnx, torch = load_encoder(model), load_encoder(model, runtime="torch")
    assert onnx.model_identity != torch.model_identity  # type: ignore[attr-defined]

    # Weights newer than the export (a model tuned again): the old export is not read.
    weights = exported / "model.safetensors"
    later = onnx_file(exported).stat().st_mtime + 60
    os.utime(weights, (later, later))
    try:
        assert isinstance(load_encoder(model), SentenceTransformerEncoder)
        assert isinstance(load_encoder(model, runtime="onnx"), OnnxEncoder)  # as asked
    finally:
        os.utime(weights, (later - 120, later - 120))

    unexported = tmp_path / "model"
    shutil.copytree(bundled_model_path(), unexported)
    assert isinstance(load_encoder(str(unexported)), SentenceTransformerEncoder)
    with pytest.raises(FileNotFoundError, match="export the model first"):
        load_encoder(str(unexported), runtime="onnx")
