"""The embedding model in bfloat16 where the CPU computes in it: faster, the same answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge_base.embeddings import SentenceTransformerEncoder, native_bfloat16

TEXTS = [
    "mijn paspoort is verlopen, hoe vraag ik een nieuwe aan",
    "wanneer wordt het grofvuil opgehaald",
    "my passport is lost",
    "de lantaarnpaal in mijn straat is kapot",
]


def test_bfloat16_is_native_only_with_the_cpu_flags_for_it(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n")
    assert native_bfloat16(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n")
    assert not native_bfloat16(cpuinfo)
    assert not native_bfloat16(tmp_path / "missing")


def test_bfloat16_vectors_are_unit_length_and_rank_like_float32() -> None:
    exact = SentenceTransformerEncoder(precision="float32")
    fast = SentenceTransformerEncoder(precision="bfloat16")
    assert fast.model_identity != exact.model_identity  # the stored vectors are not shared
    a, b = exact.encode(TEXTS), fast.encode(TEXTS)
    assert b.dtype == np.float32
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-6)
    assert (a * b).sum(axis=1).min() > 0.999
    assert np.abs(a @ a.T - b @ b.T).max() < 0.01
