from __future__ import annotations

from pathlib import Path

import pytest

from bot.canned_responses import read_canned_responses


def test_english_falls_back_to_dutch(tmp_path: Path) -> None:
    path = tmp_path / "canned.yml"
    path.write_text("- title: Groet\n  text:\n    nl: Goedendag.\n", encoding="utf-8")
    (response,) = read_canned_responses(path)
    assert response.text_in("en") == "Goedendag."


def test_a_response_without_dutch_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "canned.yml"
    path.write_text("- title: Groet\n  text:\n    en: Hello.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="response 1 needs a title and a text with nl"):
        read_canned_responses(path)


def test_no_file_means_no_responses(tmp_path: Path) -> None:
    assert read_canned_responses(tmp_path / "missing.yml") == []
