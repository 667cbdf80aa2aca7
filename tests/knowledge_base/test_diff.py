from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from knowledge_base.diff import changes, word_diff
from knowledge_base.editorial import Content


def test_a_changed_word_is_one_deletion_and_one_insertion() -> None:
    assert word_diff("Neem een pasfoto mee.", "Neem twee pasfoto's mee.") == [
        ("equal", "Neem "),
        ("delete", "een"),
        ("insert", "twee"),
        ("equal", " pasfoto"),
        ("insert", "'s"),
        ("equal", " mee."),
    ]


@given(st.text(max_size=60), st.text(max_size=60))
def test_the_pieces_give_back_both_texts(old: str, new: str) -> None:
    pieces = word_diff(old, new)
    assert "".join(text for op, text in pieces if op != "insert") == old
    assert "".join(text for op, text in pieces if op != "delete") == new


def test_only_the_fields_that_differ_are_listed() -> None:
    before = Content("afval", {"nl": ["Wanneer?"]}, {"nl": "Morgen."})
    after = Content(
        "afval",
        {"nl": ["Wanneer?"]},
        {"nl": "Overmorgen.", "en": "The day after tomorrow."},
        valid_until=datetime(2026, 12, 24, tzinfo=UTC),
    )
    assert [c.field for c in changes(before, after)] == [
        "answers.nl",
        "answers.en",
        "valid_until",
    ]
    assert [c.field for c in changes(None, before)] == ["topic", "questions.nl", "answers.nl"]
