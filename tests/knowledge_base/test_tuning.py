"""Tuning the embedding model on pairs (knowledge_base/tuning.py), with the real model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot import settings
from bot.settings import Settings
from knowledge_base.embeddings import SentenceTransformerEncoder, bundled_model_path
from knowledge_base.tuning import Pair, TuningError, read_pairs, tune, write_pairs

PAIRS = [
    Pair(
        "mn id kwijt op vakantie wat nu", "Ik ben mijn identiteitskaart verloren in het buitenland"
    ),
    Pair("wnr wordt het grofvuil opgehaald", "Wanneer haalt de gemeente grof huisvuil op?"),
    Pair("parkeervergunning aanvragen hoe", "Hoe vraag ik een parkeervergunning aan?"),
    Pair(
        "ik ben verhuisd wat moet ik doen",
        "Hoe geef ik een verhuizing door?",
        "Wat kost een paspoort?",
    ),
]


def test_pairs_are_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    write_pairs(path, [*PAIRS, Pair("a\tb  c", "d\ne")])
    assert read_pairs(path) == [*PAIRS, Pair("a b c", "d e")]


def test_a_pair_without_its_positive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("anchor\tpositive\tnegative\nalleen een vraag\t\t\n", encoding="utf-8")
    with pytest.raises(TuningError, match="line 2"):
        read_pairs(path)


def test_a_file_without_pairs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("anchor\tpositive\tnegative\n", encoding="utf-8")
    with pytest.raises(TuningError, match="no pairs"):
        read_pairs(path)


def test_tuning_brings_a_residents_wording_closer_to_its_entry_than_to_others(
    tmp_path: Path,
) -> None:
    def separation(encoder: SentenceTransformerEncoder) -> float:
        """How much closer each resident's wording is to its own entry than to the others."""
        anchors = encoder.encode([p.anchor for p in PAIRS])
        positives = encoder.encode([p.positive for p in PAIRS])
        similarities = anchors @ positives.T
        own = np.diag(similarities)
        others = (similarities.sum(axis=1) - own) / (len(PAIRS) - 1)
        return float((own - others).mean())

    bundled = SentenceTransformerEncoder(precision="float32")
    tune(str(bundled_model_path()), PAIRS, tmp_path / "model", [str], epochs=3)
    tuned = SentenceTransformerEncoder(str(tmp_path / "model"), precision="float32")
    assert separation(tuned) > separation(bundled) + 0.05
    assert tuned.model_identity != bundled.model_identity


def test_the_tuned_model_is_the_default_once_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tuned = tmp_path / "embedding"
    monkeypatch.setattr(settings, "TUNED_EMBEDDING_MODEL", tuned)
    assert Settings(_env_file=None).embedding_model == ""  # type: ignore[call-arg]
    tuned.mkdir()
    (tuned / "modules.json").write_text("[]", encoding="utf-8")
    assert Settings(_env_file=None).embedding_model == str(tuned)  # type: ignore[call-arg]
    chosen = Settings(_env_file=None, embedding_model="/srv/model")  # type: ignore[call-arg]
    assert chosen.embedding_model == "/srv/model"
