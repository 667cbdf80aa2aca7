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

    def _gap(self, candidates: Sequence[Candidate]) -> float:
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        return candidates[0].score - runner_up

    def answers(self, candidates: Sequence[Candidate], terse: bool = False) -> bool:
        """`terse`: the question is one word ("paspoort", "vergunning"), which every entry on
        the subject matches; only a clear lead makes one of them the answer."""
        best, gap = candidates[0].score, self._gap(candidates)
        return (best >= self.answer and gap >= (self.margin if terse else self.answer_gap)) or (
            best >= self.clear and gap >= self.margin
        )

    def alternatives(self, candidates: Sequence[Candidate], terse: bool = False) -> list[Candidate]:
        """The fair candidates close to the best, when there are at least two: "Do you mean
        A or B?" is better than a guess and better than "I don't know"."""
        if not candidates or candidates[0].score < self.clear or self.answers(candidates, terse):
            return []
        best = candidates[0].score
        close = [c for c in candidates if c.score >= self.clear and best - c.score < self.margin]
        return close if len(close) > 1 else []
