from __future__ import annotations

from dataclasses import replace

from knowledge_base.confidence import FEATURES, WEIGHTS, answer_confidence, features
from knowledge_base.entries import Candidate, Entry

ENTRY = Entry(id="e", version=1, topic="passport_id", questions={"nl": ["q"]}, answers={"nl": "a"})
OTHER = Entry(id="f", version=1, topic="waste", questions={"nl": ["q"]}, answers={"nl": "a"})


def candidate(entry: Entry, score: float, passage: float, lexical: float = 0.3) -> Candidate:
    return Candidate(
        entry, score, semantic=score, lexical=lexical, characters=score, passage=passage
    )


QUESTION = "hoe vraag ik een nieuw paspoort aan voor mijn dochter"
ENGLISH = "how do I apply for a new passport for my daughter"
"""QUESTION in English, with as many content words."""
CLEAR = [candidate(ENTRY, 0.62, 0.7, lexical=0.6), candidate(OTHER, 0.40, 0.45)]
CLOSE = [candidate(ENTRY, 0.50, 0.5), candidate(OTHER, 0.49, 0.55, lexical=0.4)]


def test_every_feature_has_a_weight() -> None:
    assert set(WEIGHTS) == set(FEATURES) == set(features(QUESTION, CLEAR, None, False))


def test_a_clear_lead_that_every_part_agrees_on_is_likely_the_answer() -> None:
    assert answer_confidence(QUESTION, CLEAR, "passport_id", False) > 0.9
    values = features(QUESTION, CLEAR, "passport_id", False)
    assert values["topic"] == values["lexical_agrees"] == values["passage_agrees"] == 1.0


def test_close_runners_up_disagreeing_parts_and_doubt_lower_the_confidence() -> None:
    close = answer_confidence(QUESTION, CLOSE, None, False)
    assert close < answer_confidence(QUESTION, CLEAR, None, False)
    assert features(QUESTION, CLOSE, None, False)["passage_agrees"] == 0.0
    assert answer_confidence(QUESTION, CLEAR, "out_of_scope", True) < answer_confidence(
        QUESTION, CLEAR, "ask_question", False
    )


def test_no_candidates_no_confidence() -> None:
    assert answer_confidence(QUESTION, [], None, False) == 0.0


def test_the_model_knows_an_english_question() -> None:
    assert features(ENGLISH, CLEAR, None, False)["english"] == 1.0
    assert features(QUESTION, CLEAR, None, False)["english"] == 0.0


def test_an_english_question_is_held_to_no_higher_bar_than_a_dutch_one() -> None:
    """Once English questions with the right entry first were withheld twice as often as Dutch
    ones; the fit now finds them as often right as Dutch ones with the same scores, or more."""
    english, dutch = (features(q, CLOSE, None, False) for q in (ENGLISH, QUESTION))
    assert english["words"] == dutch["words"]
    gap = answer_confidence(ENGLISH, CLOSE, None, False) - answer_confidence(
        QUESTION, CLOSE, None, False
    )
    assert gap > -0.01


def test_a_match_a_residents_wording_lifts_is_more_likely_the_answer() -> None:
    lifted = [replace(CLOSE[0], wording_lift=0.1), *CLOSE[1:]]
    assert features(QUESTION, lifted, None, False)["wording_lift"] == 0.1
    assert answer_confidence(QUESTION, lifted, None, False) > answer_confidence(
        QUESTION, CLOSE, None, False
    )


def test_a_new_entry_is_not_held_to_the_bar_of_one_residents_have_worded() -> None:
    """With no residents' wordings, the same scores are more often right: no wording could lift
    them. Without this a new entry, such as one published during a crisis, is withheld more."""
    worded = [replace(candidate, worded=True) for candidate in CLOSE]
    new = [replace(CLOSE[0], worded=False), *worded[1:]]
    assert features(QUESTION, new, None, False)["worded"] == 0.0
    assert features(QUESTION, worded, None, False)["worded"] == 1.0
    assert answer_confidence(QUESTION, new, None, False) > answer_confidence(
        QUESTION, worded, None, False
    )
