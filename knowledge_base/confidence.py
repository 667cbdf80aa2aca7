"""How likely the best candidate is the right answer: a logistic model over what retrieval and
the NLU say about a question.

No single score separates right from wrong: a fair score well ahead of the runner-up is often
right, a high one among close runners-up often wrong, and a long answer may hold the question in
one passage. The weights below were fitted with scripts/fit_answer_confidence.py on the
development sets (tests/eval/*_paraphrases.tsv answered right or wrong, out_of_scope.tsv never
to be answered), on the starter and the rijksoverheid knowledge bases together; the features are
scores and differences that mean the same in any knowledge base, never words or entries. The
embedding model is tuned on those paraphrases, so each half of them was scored by a model tuned
on the other half: as it scores a resident's new wording, not as it scores what it learned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from knowledge_base.entries import Candidate
from knowledge_base.text import detect_language, stems

FALLBACK_INTENT: Final = "nlu_fallback"
"""Rasa's intent for a message it recognises no intent in."""
OUT_OF_SCOPE_INTENT: Final = "out_of_scope"

CONTEXT: Final = 20
"""The best this many candidates are read: the parts' agreement is judged among them."""
_PARTS: Final = ("semantic", "lexical", "characters", "passage")

FEATURES: Final = (
    "score",
    "gap",
    "passage",
    "semantic_agrees",
    "lexical_agrees",
    "characters_agrees",
    "passage_agrees",
    "topic",
    "doubted",
    "fallback",
    "one_word",
    "words",
    "english",
)
"""Of the best candidate: its fused score, its lead over the second, its passage score, and per
part of the score whether it also ranks the candidate first (parts that agree rarely all err);
whether Rasa's intent names its topic, finds the message out of scope, or finds no intent;
whether the question is one content word, and log(1 + its content words): a longer question
is more specific, so a match is less likely by chance; whether it is in English."""

WEIGHTS: Final = {
    "score": 1.3125,
    "gap": 13.7205,
    "passage": 5.9865,
    "semantic_agrees": 0.3732,
    "lexical_agrees": 0.5322,
    "characters_agrees": 0.4086,
    "passage_agrees": 0.1782,
    "topic": 0.0610,
    "doubted": -1.2432,
    "fallback": -0.1479,
    "one_word": -1.9695,
    "words": 1.7247,
    "english": -0.0400,
}
"""All but `english` fitted together; `english` came after, when an English question was
compared with the entries' English readings alone (knowledge_base/retrieval.py:
english_reading), and was refitted (maximum likelihood, the others held) once the glossary and
the passages had changed the scores: the development data now asks of an English question what
it asks of a Dutch one. Before, -0.572 asked 0.82 instead of 0.72, chosen by hand on the
situation questions, and English questions the right entry came first for were withheld twice
as often as Dutch ones (situations: 32 of 125 against 55 of 591)."""
BIAS: Final = -8.1645


def features(
    question: str, candidates: Sequence[Candidate], intent: str | None, doubted: bool
) -> dict[str, float]:
    """What the model reads; `candidates` best first, at least one, up to CONTEXT."""
    best, others = candidates[0], candidates[1:CONTEXT]
    content_words = len(set(stems(question, "nl")))
    values = {
        "score": best.score,
        "gap": best.score - (others[0].score if others else 0.0),
        "passage": best.passage,
        "topic": float(intent is not None and best.entry.topic == intent),
        "doubted": float(doubted),
        "fallback": float(intent == FALLBACK_INTENT),
        "one_word": float(content_words <= 1),
        "words": math.log1p(content_words),
        "english": float(detect_language(question) == "en"),
    }
    for part in _PARTS:
        rival = max((getattr(c, part) for c in others), default=0.0)
        values[f"{part}_agrees"] = float(getattr(best, part) >= rival)
    return values


def answer_confidence(
    question: str, candidates: Sequence[Candidate], intent: str | None, doubted: bool
) -> float:
    """The probability that the best of `candidates` answers `question` (0 without any)."""
    if not candidates:
        return 0.0
    values = features(question, candidates, intent, doubted)
    logit = BIAS + sum(WEIGHTS[name] * values[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-logit))
