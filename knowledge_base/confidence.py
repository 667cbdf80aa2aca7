"""How likely the best candidate is the right answer: a logistic model over what retrieval and
the NLU say about a question.

No single score separates right from wrong: a fair score well ahead of the runner-up is often
right, a high one among close runners-up often wrong, and a long answer may hold the question in
one passage. The weights below were fitted with scripts/refit_answer_confidence.py on the
starter and the rijksoverheid knowledge bases together, on development questions that retrieval
meets as it meets a resident's new one: the calibration sets and the paraphrase sets from the
second on (tests/eval/), answered right or wrong, each scored with every residents' wording but
its own, and out_of_scope.tsv, never to be answered. Each is also scored with the wordings of
half the entries only, each half in turn, as in a knowledge base whose newest entries have none
yet. Not the first paraphrase sets: the embedding model is tuned on them. The features are
scores and differences that mean the same in any knowledge base, never words or entries.
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
    "wording_lift",
    "worded",
)
"""Of the best candidate: its fused score, its lead over the second, its passage score, and per
part of the score whether it also ranks the candidate first (parts that agree rarely all err);
whether Rasa's intent names its topic, finds the message out of scope, or finds no intent;
whether the question is one content word, and log(1 + its content words): a longer question
is more specific, so a match is less likely by chance; whether it is in English; how far a
residents' wording raised its semantic score above its own texts'; and whether it has residents'
wordings at all (an entry published during a crisis has none yet)."""

WEIGHTS: Final = {
    "score": 1.9299,
    "gap": 14.9285,
    "passage": 7.8701,
    "semantic_agrees": 1.1085,
    "lexical_agrees": 0.6879,
    "characters_agrees": -0.1875,
    "passage_agrees": -0.0631,
    "topic": 0.1248,
    "doubted": -1.8782,
    "fallback": 0.1051,
    "one_word": -1.6618,
    "words": 2.0718,
    "english": 0.2522,
    "wording_lift": 10.8242,
    "worded": -0.2555,
}
"""Fitted on 4,928 questions and 192 out-of-scope messages, each of those counting for ten
questions: few in the development sets, common in a municipality's chat. Counted once, the same
fit answered 0.089 of the out-of-scope messages at the threshold in use instead of 0.026.

The weights fitted before the residents' wordings, without `wording_lift`, judged a match to a
wording as one to the entry's own question. At the threshold in use (0.72) they answered right
0.641 of the situation questions (tests/eval/rijksoverheid_situations.tsv, not fitted on) at
0.103 wrong, and these 0.714 at 0.103; unseen questions 0.713 at 0.073 wrong, these 0.770 at
0.067; out-of-scope messages to the rijksoverheid corpus 0.031, these 0.036 (retrieval alone,
scripts/fit_answer_confidence.py). A match that a residents' wording lifts is more often right:
residents who asked the same thing chose the entry.

`worded` and the bias were then fitted alone, the other weights held (scripts/
refit_answer_confidence.py --new-entries-only), on the development questions scored with the
wordings of half the entries, where the best entry had none: the same scores are more often
right there, as no wording could lift them. Entries with wordings are judged exactly as before.
Refitting every weight on both regimes answered more of a new entry's questions (unseen questions
0.421 -> 0.494 right at 0.124 -> 0.129 wrong, retrieval alone) but cost the entries residents
worded (0.815 -> 0.792 right, 0.051 -> 0.062 wrong): not taken."""
BIAS: Final = -11.2323


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
        "wording_lift": best.wording_lift,
        "worded": float(best.worded),
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
