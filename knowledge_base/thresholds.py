"""When the best candidate is the answer, a choice between candidates, or "I don't know"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_base.entries import Candidate


@dataclass(frozen=True)
class Thresholds:
    """When the best candidate is the answer: a high score a little ahead of the runner-up, or a
    fair score well ahead of it. Measured with `loket eval` on tests/eval/."""

    answer: float = 0.48
    answer_gap: float = 0.03
    clear: float = 0.4
    margin: float = 0.12
    doubted: float = 0.55
    """The best score a message needs when the NLU finds it out of scope ("tot hoe laat is de
    Kruidvat open"): two signals that disagree need a strong and clear match. On the
    development sets this halved the out-of-scope messages answered and the wrong answers, for
    a few questions fewer answered right (measured)."""

    def _gap(self, candidates: Sequence[Candidate]) -> float:
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        return candidates[0].score - runner_up

    def answers(
        self, candidates: Sequence[Candidate], terse: bool = False, doubted: bool = False
    ) -> bool:
        """`terse`: the question is one word ("paspoort", "vergunning"), which every entry on
        the subject matches; only a clear lead makes one of them the answer. `doubted`: the
        NLU finds the message out of scope."""
        best, gap = candidates[0].score, self._gap(candidates)
        if doubted:
            return best >= self.doubted and gap >= self.margin
        return (best >= self.answer and gap >= (self.margin if terse else self.answer_gap)) or (
            best >= self.clear and gap >= self.margin
        )

    def alternatives(
        self, candidates: Sequence[Candidate], terse: bool = False, doubted: bool = False
    ) -> list[Candidate]:
        """The fair candidates close to the best, when there are at least two: "Do you mean
        A or B?" is better than a guess and better than "I don't know". Never for a message
        the NLU finds out of scope ("what's the weather"): choices would only puzzle."""
        if doubted or not candidates or candidates[0].score < self.clear:
            return []
        if self.answers(candidates, terse):
            return []
        best = candidates[0].score
        close = [c for c in candidates if c.score >= self.clear and best - c.score < self.margin]
        return close if len(close) > 1 else []
