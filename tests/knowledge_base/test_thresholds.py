from __future__ import annotations

import pytest

from knowledge_base.entries import Candidate, Entry
from knowledge_base.thresholds import Thresholds


def candidates(*scores: float) -> list[Candidate]:
    entry = Entry(id="e", version=1, topic="t", questions={"nl": ["q"]}, answers={"nl": "a"})
    return [Candidate(entry, score, score, score, score) for score in scores]


THRESHOLDS = Thresholds(answer=0.5, answer_gap=0.05, clear=0.4, margin=0.15)


@pytest.mark.parametrize(
    ("scores", "answered", "offered"),
    [
        ((0.80, 0.70), True, 0),  # high, and ahead of the runner-up
        ((0.50,), True, 0),
        ((0.80, 0.77, 0.60), False, 2),  # high but two are close: "Do you mean A or B?"
        ((0.48, 0.30), True, 0),  # fair, and well clear of the runner-up
        ((0.41,), True, 0),  # fair, and nothing else came close
        ((0.48, 0.40), False, 2),  # fair, but the runner-up is too close: don't guess
        ((0.48, 0.39), False, 0),  # ... and the runner-up is too weak to offer
        ((0.39, 0.38), False, 0),  # too weak
        ((0.30, 0.05), False, 0),
    ],
)
def test_when_the_best_candidate_is_the_answer(
    scores: tuple[float, ...], answered: bool, offered: int
) -> None:
    assert THRESHOLDS.answers(candidates(*scores)) is answered
    assert len(THRESHOLDS.alternatives(candidates(*scores))) == offered


def test_a_one_word_question_needs_a_clear_lead() -> None:
    """ "Paspoort" matches every passport entry: a small lead is a choice, not the answer."""
    close = candidates(0.77, 0.70, 0.68)
    assert THRESHOLDS.answers(close)
    assert not THRESHOLDS.answers(close, terse=True)
    assert len(THRESHOLDS.alternatives(close, terse=True)) == 3
    assert THRESHOLDS.answers(candidates(0.77, 0.60), terse=True)


def test_a_message_the_nlu_finds_out_of_scope_needs_a_strong_clear_match() -> None:
    """ "Tot hoe laat is de Kruidvat open" resembles the town hall's opening hours."""
    fair = candidates(0.52, 0.30)
    assert THRESHOLDS.answers(fair)
    assert not THRESHOLDS.answers(fair, doubted=True)
    assert THRESHOLDS.answers(candidates(0.65, 0.45), doubted=True)
    assert not THRESHOLDS.answers(candidates(0.65, 0.60), doubted=True)  # strong, not clear
    assert THRESHOLDS.alternatives(candidates(0.48, 0.40)) != []
    assert THRESHOLDS.alternatives(candidates(0.48, 0.40), doubted=True) == []
