from __future__ import annotations

import pytest

from knowledge_base.text import detect_language, stems, words


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
