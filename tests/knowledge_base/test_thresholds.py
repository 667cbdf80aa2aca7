from __future__ import annotations

import pytest

from knowledge_base.entries import Candidate, Entry
from knowledge_base.service import Thresholds


def candidates(*scores: float) -> list[Candidate]:
    entry = Entry(id="e", version=1, topic="t", questions={"nl": ["q"]}, answers={"nl": "a"})
    return [Candidate(entry, score, score, score, score) for score in scores]


@pytest.mark.parametrize(
    ("scores", "answered"),
    [
        ((0.56, 0.55), True),  # high enough on its own, however close the runner-up
        ((0.55,), True),
        ((0.54, 0.38), True),  # fair, and clear of the runner-up
        ((0.41,), True),  # fair, and nothing else came close
        ((0.54, 0.40), False),  # fair, but the runner-up is too close: don't guess
        ((0.39,), False),  # too weak
        ((0.30, 0.05), False),
    ],
)
def test_when_the_best_candidate_is_the_answer(scores: tuple[float, ...], answered: bool) -> None:
    assert Thresholds(answer=0.55, clear=0.4, margin=0.15).answers(candidates(*scores)) is answered
