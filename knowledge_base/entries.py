"""What an answerable knowledge-base entry is, independent of how it is stored."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from knowledge_base.text import Language


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"


@dataclass(frozen=True)
class Entry:
    """One version of an entry: the unit that is indexed, answered and archived."""

    id: str
    version: int
    topic: str
    questions: Mapping[Language, Sequence[str]]
    answers: Mapping[Language, str]
    source_url: str = ""
    owner: str = ""
    external_id: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    """Only answerable from `valid_from` and before `valid_until` (either may be open)."""

    def all_questions(self) -> list[tuple[Language, str]]:
        return [(lang, q) for lang, qs in self.questions.items() for q in qs]

    def question_in(self, language: Language) -> str:
        """The entry's first question in `language`, else its first Dutch one."""
        return (self.questions.get(language) or self.questions["nl"])[0]

    def answer_in(self, language: Language) -> tuple[Language, str]:
        """The answer in `language` when the entry has it, else the Dutch one."""
        if language in self.answers:
            return language, self.answers[language]
        return "nl", self.answers["nl"]


class _KeepUnknown(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_FORMATTER = string.Formatter()


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill `{placeholder}`s from `values`; unknown ones and stray braces stay as written."""
    try:
        return _FORMATTER.vformat(text, (), _KeepUnknown(values))
    except (ValueError, IndexError):
        return text


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float
    semantic: float
    lexical: float
    characters: float
    passage: float = 0.0
    """The best similarity of a passage of the entry's answer (knowledge_base/passages.py)."""
    wording_lift: float = 0.0
    """How far a residents' wording of the entry (knowledge_base/wordings.py) raised its
    semantic score above its own texts' best: 0 when none matched better."""
    worded: bool = False
    """Whether the entry has residents' wordings at all (a new entry has none yet)."""


@dataclass(frozen=True)
class Decision:
    """What the knowledge base says to a question: an entry to answer with, or none."""

    answer: Candidate | None
    candidates: Sequence[Candidate] = field(default_factory=tuple)
    alternatives: Sequence[Candidate] = field(default_factory=tuple)
    """When no single entry is clear but a few are close: the ones to offer as a choice."""
    confidence: float = 0.0
    """How likely the best candidate is the answer (knowledge_base/confidence.py)."""
