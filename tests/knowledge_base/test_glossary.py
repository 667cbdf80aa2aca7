"""Dutch in English, word by word, for the English embedding model."""

from __future__ import annotations

import gzip
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.settings import Settings
from knowledge_base.embeddings import (
    BatchCachingEncoder,
    BilingualEncoder,
    CachingEncoder,
    Encoder,
    RecentEncoder,
    is_bilingual,
    is_parallel,
)
from knowledge_base.glossary import FREEDICT_NLD_ENG, Glossary, load_glossary
from knowledge_base.retrieval import english_reading
from tests.knowledge_base.test_stored_vectors import CountingEncoder

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
klok /klɔk/
clock (timepiece), bell
kind /kɪnt/
child
maken /makə/
make
schaffen /sxɑfə/
procure
melden /mɛldə/
advertise
straat /strat/
strait
"""


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    path = tmp_path / "freedict-nld-eng.dict.dz"
    path.write_bytes(gzip.compress(DICTD.encode("utf-8")))
    return Glossary.from_freedict(path)


def test_reads_the_first_translation_of_each_headword(glossary: Glossary) -> None:
    assert glossary.english("paspoort") == "passport"
    assert glossary.english("pas") == "pass"
    assert glossary.english("klok") == "clock"  # the note in brackets left out
    assert glossary.english("kijken") == "look"  # the dictionary's "ĳ" is "ij"


def test_function_words_stems_compounds_and_unknown_words(glossary: Glossary) -> None:
    assert glossary.english("Hoe vraag ik een nieuw paspoort aan?") == (
        "how question i a new passport on"
    )
    assert glossary.english("paspoorten") == "passport"  # by its stem
    assert glossary.english("parkeerklok") == "park clock"  # a verb's stem + a noun
    assert glossary.english("wadlopen") == "wadlopen"  # unknown: left as it is


def test_the_installed_dictionary() -> None:
    """`make setup` installs Debian's dict-freedict-nld-eng."""
    installed = load_glossary(FREEDICT_NLD_ENG)
    assert installed is not None
    assert len(installed) > 15_000
    assert installed.english("mijn paspoort is kwijt") == "my passport is lost"


def test_inflected_words_are_found_by_the_word_they_are_a_form_of(glossary: Glossary) -> None:
    assert glossary.english("kinderen") == "child"  # a plural in -eren
    assert glossary.english("paspoorten") == "passport"
    assert glossary.english("aangevraagd") == "apply"  # a participle of a separable verb
    assert glossary.english("gemaakt") == "make"  # "maak": an open syllable, one vowel
    assert glossary.english("geschaft") == "procure"  # "schaf": a short vowel, two consonants
    assert glossary.english("kijkt") == "look"  # a verb form


def test_a_municipality_s_words_in_the_sense_a_municipality_means(glossary: Glossary) -> None:
    """The dictionary's first sense is the everyday one: "melden" advertises, a "straat" is a
    strait, and "gemeente" a community."""
    assert glossary.english("gemeld") == "report"
    assert glossary.english("de straten van de gemeente") == "the street of the municipality"
    assert glossary.english("vuilniszakken") == "garbage bags"  # a compound of our own words


def test_the_digest_names_our_own_words_and_rules_too(tmp_path: Path) -> None:
    """The entries' vectors are stored under it: when our own words change, the English of a
    text changes, and the stored vectors must not be used."""
    digests = set()
    for own in ({"klok": "clock"}, {"klok": "bell"}):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("knowledge_base.glossary.MUNICIPAL_WORDS", own)
            digests.add(Glossary({"paspoort": "passport"}, "same dictionary").digest)
    assert len(digests) == 2


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


def test_an_english_question_meets_the_entries_english_reading_alone(
    encoder: CachingEncoder, glossary: Glossary
) -> None:
    bilingual = BilingualEncoder(encoder, glossary)
    question, entry = "how do I apply for a passport", "paspoort aanvragen"
    vectors = bilingual.encode([question, entry])
    expected = encoder.encode([question])[0] @ encoder.encode([glossary.english(entry)])[0]
    assert english_reading(vectors[0]) @ vectors[1] == pytest.approx(expected, abs=1e-5)


def test_questions_embedded_at_the_same_time_each_get_their_own_vector(model: Encoder) -> None:
    """A text's English is embedded on another thread: residents writing at once must not get
    one another's halves."""
    glossary = load_glossary(Settings(_env_file=None).glossary)  # type: ignore[call-arg]
    assert glossary is not None
    assert is_parallel(model)  # ONNX Runtime, exported by `make setup`
    bilingual = BilingualEncoder(model, glossary)
    questions = [
        f"{subject} {ask}"
        for subject in ("paspoort", "rijbewijs", "afvalpas", "parkeervergunning", "huurtoeslag")
        for ask in ("kwijt, wat nu?", "verlengen", "hoeveel kost dat", "aanvragen voor mijn kind")
    ]
    alone = bilingual.encode(questions)
    with ThreadPoolExecutor(max_workers=4) as pool:
        at_once = np.stack(list(pool.map(lambda q: bilingual.encode([q])[0], questions)))
    assert np.allclose(at_once, alone, atol=1e-5)
    assert np.allclose(
        alone[:, alone.shape[1] // 2 :] * np.sqrt(2),
        model.encode([glossary.english(q) for q in questions]),
        atol=1e-5,
    )


def test_the_wrappers_say_their_vectors_are_bilingual(
    encoder: CachingEncoder, glossary: Glossary
) -> None:
    """Retrieval reads an English question against the entries' English only when both its
    encoders, wrapped as the knowledge base wraps them, make bilingual vectors."""
    bilingual = BilingualEncoder(encoder, glossary)
    wrapped = [
        CachingEncoder(bilingual),
        RecentEncoder(bilingual),
        BatchCachingEncoder(RecentEncoder(bilingual), CachingEncoder(bilingual)),
    ]
    assert all(is_bilingual(each) for each in [bilingual, *wrapped])
    unsaid = CountingEncoder(encoder, "a model that does not say")
    assert not is_bilingual(RecentEncoder(CachingEncoder(unsaid)))
