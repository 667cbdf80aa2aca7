from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge_base.text import (
    SYNONYMS_FILE,
    Synonyms,
    SynonymsError,
    detect_language,
    stems,
    terms,
    words,
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hoe vraag ik een nieuw paspoort aan?", "nl"),
        ("mn id kaart is verlopen wat nu", "nl"),
        ("how do I apply for a passport", "en"),
        ("when is the bulky waste collected?", "en"),
    ],
)
def test_detects_dutch_and_english(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_unknown_language_falls_back_to_the_default() -> None:
    assert detect_language("grofvuil", default="en") == "en"
    assert detect_language("grofvuil") == "nl"


def test_words_fold_case_and_accents() -> None:
    assert words("Geëmigreerd NAAR België!") == ["geemigreerd", "naar", "belgie"]


def test_stems_drop_stop_words_and_stem_per_language() -> None:
    assert stems("de vuilniszakken worden opgehaald", "nl") == ["vuilniszak", "wor", "ophaal"]
    assert stems("the bins are collected", "en") == ["bin", "collect"]


def test_residents_words_become_the_knowledge_bases_words() -> None:
    assert terms("mn ID-kaart is gescheurd") == ["mn", "identiteitskaart", "is", "beschadigd"]
    assert terms("my passport got stolen") == ["my", "paspoort", "got", "gestolen"]


def test_the_longest_phrase_wins_and_a_canonical_phrase_keeps_its_words() -> None:
    lexicon = Synonyms({"wet open overheid": ["woo"], "open": ["geopend"], "paspoort": ["pas"]})
    assert lexicon.replace(["pas", "is", "geopend"]) == ["paspoort", "is", "open"]
    assert lexicon.replace(["de", "woo"]) == ["de", "wet", "open", "overheid"]
    assert lexicon.replace([]) == []


def test_stems_of_resident_and_official_wording_meet() -> None:
    assert set(stems("id kaart kwijtgeraakt", "nl")) == set(stems("identiteitskaart kwijt", "nl"))


def test_a_specific_word_keeps_itself_and_gains_the_general_one() -> None:
    lexicon = Synonyms({"identiteitskaart": ["id"]}, {"openbaar vervoer": ["bus", "trein"]})
    assert lexicon.replace(["id", "in", "de", "bus"]) == [
        "identiteitskaart",
        "in",
        "de",
        "bus",
        "openbaar",
        "vervoer",
    ]
    assert "onderwijsinstellingen" in terms("mag een nikab op de mbo school")


def test_a_country_is_abroad_and_a_part_of_the_kingdom_is_not() -> None:
    assert terms("paspoort kwijt in Spanje") == ["paspoort", "kwijt", "in", "spanje", "buitenland"]
    assert "buitenland" in terms("my passport was stolen in Portugal")
    assert "buitenland" in terms("ik woon in België")
    assert "buitenland" in terms("we lost our ID cards in Croatia")
    assert "buitenland" not in terms("paspoort kwijt op Curaçao")
    assert "buitenland" not in terms("ik woon op Bonaire")


def test_a_dutch_institution_named_in_english_meets_its_dutch_name() -> None:
    assert terms("complaint to the Children's Ombudsman") == [
        "klacht",
        "to",
        "the",
        "kinderombudsman",
    ]
    assert terms("who sits in the House of Representatives") == [
        "who",
        "sits",
        "in",
        "the",
        "tweede",
        "kamer",
    ]
    assert "belasting" in terms("a letter from the tax office about my taxes")
    assert "belastingdienst" in terms("a letter from the tax office about my taxes")


def test_no_resident_word_is_claimed_twice() -> None:
    sections = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))
    assert set(sections) == {"same", "broader"}
    seen: dict[tuple[str, ...], str] = {}
    for groups in sections.values():
        for canonical, variants in groups.items():
            for variant in variants:
                key = tuple(words(str(variant)))
                assert key, f"{canonical}: an empty variant"
                assert seen.setdefault(key, canonical) == canonical, f"{variant!r} twice"
                assert key != tuple(words(canonical)), f"{canonical}: {variant!r} is itself"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- id\n- identiteitskaart\n", "expected the sections"),
        ("same:\n  identiteitskaart: id\n", "needs a list of words"),
        ("same:\n  - identiteitskaart\n", "must map a word"),
        ("synonyms:\n  identiteitskaart: [id]\n", "expected the sections"),
    ],
)
def test_a_malformed_synonyms_file_says_what_is_wrong(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "synonyms.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SynonymsError, match=message):
        Synonyms.from_file(path)
