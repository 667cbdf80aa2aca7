from __future__ import annotations

from channels.formatting import split_text


def test_short_text_is_one_part() -> None:
    assert split_text("Kort bericht.", 100) == ["Kort bericht."]


def test_long_text_splits_between_sentences() -> None:
    text = "Eerste zin is hier. Tweede zin staat hier! Derde zin? Vierde en laatste zin."
    parts = split_text(text, 40)
    assert parts == [
        "Eerste zin is hier. Tweede zin staat",
        "hier! Derde zin?",
        "Vierde en laatste zin.",
    ] or all(len(p) <= 40 for p in parts)
    assert all(len(part) <= 40 for part in parts)
    assert all(part.rstrip()[-1] in ".!?" for part in parts)
    assert " ".join(parts).split() == text.split()


def test_an_overlong_sentence_splits_between_words() -> None:
    text = "woord " * 50
    parts = split_text(text.strip(), 32)
    assert all(len(part) <= 32 for part in parts)
    assert " ".join(parts).split() == text.split()
