"""Dutch in English, word by word, for the English embedding model."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from bot.settings import Settings
from knowledge_base.embeddings import BilingualEncoder, CachingEncoder
from knowledge_base.glossary import FREEDICT_NLD_ENG, Glossary, load_glossary

DICTD = """00-database-info
This is a FreeDict dictionary.
paspoort /pɑsport/
passport
pas /pɑs/
1. pass
2. exclusively, just, only
vergunning /vərɣɵnɪŋ/
licence (official), permit
parkeren /pɑrkerən/
park
aanvragen /anvraɣə/
apply for
kĳken /kɛikə/
look
"""


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    path = tmp_path / "freedict-nld-eng.dict.dz"
    path.write_bytes(gzip.compress(DICTD.encode("utf-8")))
    return Glossary.from_freedict(path)


def test_reads_the_first_translation_of_each_headword(glossary: Glossary) -> None:
    assert glossary.english("paspoort") == "passport"
    assert glossary.english("pas") == "pass"
    assert glossary.english("vergunning") == "licence"  # the note in brackets left out
    assert glossary.english("kijken") == "look"  # the dictionary's "ĳ" is "ij"


def test_function_words_stems_compounds_and_unknown_words(glossary: Glossary) -> None:
    assert glossary.english("Hoe vraag ik een paspoort aan?") == "how question i a passport on"
    assert glossary.english("paspoorten") == "passport"  # by its stem
    assert glossary.english("parkeervergunning") == "park licence"  # a verb's stem + a noun
    assert glossary.english("grofvuil") == "grofvuil"


def test_the_installed_dictionary() -> None:
    """`make setup` installs Debian's dict-freedict-nld-eng."""
    installed = load_glossary(FREEDICT_NLD_ENG)
    assert installed is not None
    assert len(installed) > 15_000
    assert installed.english("mijn paspoort is kwijt") == "my passport is lost"


def test_no_glossary_where_there_is_no_file_or_it_is_turned_off(tmp_path: Path) -> None:
    assert load_glossary(tmp_path / "missing.dict.dz") is None
    assert Settings(glossary="", _env_file=None).glossary is None  # type: ignore[call-arg]


def test_a_bilingual_cosine_is_the_mean_of_the_dutch_and_the_english_cosine(
    encoder: CachingEncoder, glossary: Glossary
) -> None:
    bilingual = BilingualEncoder(encoder, glossary)
    texts = ["paspoort aanvragen", "parkeervergunning"]
    vectors = bilingual.encode(texts)
    assert vectors.shape == (2, 2 * encoder.encode(["x"]).shape[1])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    dutch = encoder.encode(texts)
    english = encoder.encode([glossary.english(t) for t in texts])
    expected = (dutch[0] @ dutch[1] + english[0] @ english[1]) / 2
    assert vectors[0] @ vectors[1] == pytest.approx(expected, abs=1e-5)
    assert bilingual.model_identity != encoder.model_identity
