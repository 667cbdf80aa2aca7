from __future__ import annotations

import pytest

from knowledge_base.entries import Candidate, Entry
from knowledge_base.thresholds import Thresholds


def candidates(*scores: float) -> list[Candidate]:
    entry = Entry(id="e", version=1, topic="t", questions={"nl": ["q"]}, answers={"nl": "a"})
    return [Candidate(entry, score, score, score, score) for score in scores]


THRESHOLDS = Thresholds(confidence=0.7, clear=0.4, margin=0.15)


def test_the_answer_model_decides_what_is_answered() -> None:
    assert THRESHOLDS.answers(0.7)
    assert not THRESHOLDS.answers(0.69)


@pytest.mark.parametrize(
    ("scores", "offered"),
    [
        ((0.80, 0.77, 0.60), 2),  # two are close: "Do you mean A or B?"
        ((0.48, 0.40), 2),
        ((0.48, 0.39), 0),  # the runner-up is too weak to offer
        ((0.48, 0.30), 0),  # nothing else came close
        ((0.39, 0.38), 0),  # too weak
        ((), 0),
    ],
)
def test_close_fair_candidates_are_offered_as_a_choice(
    scores: tuple[float, ...], offered: int
) -> None:
    assert len(THRESHOLDS.alternatives(candidates(*scores))) == offered


def test_a_message_the_nlu_finds_out_of_scope_is_offered_no_choice() -> None:
    """ "What's the weather" offered "Do you mean ...?" would only puzzle."""
    assert THRESHOLDS.alternatives(candidates(0.48, 0.40), doubted=True) == []


@pytest.mark.parametrize(
    ("scores", "overrules"),
    [
        ((0.50, 0.46), True),  # strong, a little ahead
        ((0.50, 0.48), False),
        ((0.42, 0.29), True),  # fair, well ahead
        ((0.42, 0.31), False),
        ((0.39,), False),
        ((), False),
    ],
)
def test_only_a_strong_clear_match_sets_aside_a_handoff(
    scores: tuple[float, ...], overrules: bool
) -> None:
    thresholds = Thresholds(strong=0.48, strong_gap=0.03, fair=0.4, fair_gap=0.12)
    assert thresholds.overrules(candidates(*scores)) is overrules


def test_how_readily_choices_are_offered_does_not_change_who_is_handed_to_a_person() -> None:
    sparing = Thresholds(clear=0.9, margin=0.01)
    generous = Thresholds(clear=0.1, margin=0.5)
    for scores in [(0.50, 0.46), (0.50, 0.48), (0.42, 0.29), (0.42, 0.31), (0.39,)]:
        assert sparing.overrules(candidates(*scores)) is Thresholds().overrules(candidates(*scores))
        assert generous.overrules(candidates(*scores)) is Thresholds().overrules(
            candidates(*scores)
        )
    assert sparing.alternatives(candidates(0.80, 0.77)) == []
    assert len(generous.alternatives(candidates(0.80, 0.40))) == 2
