"""When the best candidate is the answer, a choice between candidates, or "I don't know"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_base.entries import Candidate


@dataclass(frozen=True)
class Thresholds:
    """The best candidate is the answer when the answer model (knowledge_base/confidence.py) is
    this confident; otherwise fair candidates close together are offered as a choice. Measured
    with `loket eval` on tests/eval/: `confidence` is where the answer model's wrong answers on
    the development questions it was fitted on stay within 0.05 (0.036 of them all, 0.059 of
    the hardest set; scripts/refit_answer_confidence.py)."""

    confidence: float = 0.72
    clear: float = 0.40
    margin: float = 0.12
    """`alternatives` offers the candidates scoring at least `clear` within `margin` of the best."""
    strong: float = 0.48
    strong_gap: float = 0.03
    fair: float = 0.40
    fair_gap: float = 0.12
    """`overrules` takes a strong score `strong_gap` ahead of the runner-up, or a fair one
    `fair_gap` ahead. Apart from `clear` and `margin`, though equal to them: offering choices more
    or less readily must not change who is handed to a person."""

    def answers(self, confidence: float) -> bool:
        return confidence >= self.confidence

    def overrules(self, candidates: Sequence[Candidate]) -> bool:
        """Whether the best candidate is a match strong and clear enough to set aside a model's
        judgement that a person should take over: a high score a little ahead of the runner-up,
        or a fair one well ahead. Judged on the scores alone, not on the answer model: a long
        message with several problems in it ("mijn inkomen is weggevallen, ik heb een
        belastingschuld en ...") matches one entry fairly and reads as specific, but one answer
        does not settle it (measured on tests/eval/escalation.tsv). The English part made the
        scores 0.97 of what they were (the median on the development sets), and these thresholds
        0.47 and 0.39; the answer passages ranking the best again (knowledge_base/retrieval.py:
        PASSAGE_SHARE) made them 1.02 times as high, and the thresholds 0.48 and 0.40 again: at
        0.39 "de telefoniste zuchtte en zei dat ik moest ophouden met zeuren" (0.394 for the
        contact entry) was answered instead of handed to a person."""
        if not candidates:
            return False
        best = candidates[0].score
        gap = best - (candidates[1].score if len(candidates) > 1 else 0.0)
        return (best >= self.strong and gap >= self.strong_gap) or (
            best >= self.fair and gap >= self.fair_gap
        )

    def alternatives(
        self, candidates: Sequence[Candidate], doubted: bool = False
    ) -> list[Candidate]:
        """For a question not answered: the fair candidates close to the best, when there are
        at least two. "Do you mean A or B?" is better than a guess and better than "I don't
        know"; but never for a message the NLU finds out of scope ("what's the weather"):
        choices would only puzzle."""
        if doubted or not candidates or candidates[0].score < self.clear:
            return []
        best = candidates[0].score
        close = [c for c in candidates if c.score >= self.clear and best - c.score < self.margin]
        return close if len(close) > 1 else []
