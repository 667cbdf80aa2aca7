"""What changed between two versions of an entry, word by word, as an editor reads it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Final, Literal

from knowledge_base.editorial import Content
from knowledge_base.text import LANGUAGES

_TOKENS: Final = re.compile(r"\s+|[^\W_]+|[^\w\s]|_", re.UNICODE)

Operation = Literal["equal", "delete", "insert"]


@dataclass(frozen=True)
class FieldChange:
    field: str
    """`topic`, `questions.nl`, `answers.en`, `source_url`, `owner`, `valid_from`, ..."""
    pieces: list[tuple[Operation, str]]

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "pieces": [list(piece) for piece in self.pieces]}


def _fields(content: Content) -> dict[str, str]:
    fields = {"topic": content.topic}
    for language in LANGUAGES:
        fields[f"questions.{language}"] = "\n".join(content.questions.get(language, ()))
        fields[f"answers.{language}"] = content.answers.get(language, "")
    fields["source_url"] = content.source_url
    fields["owner"] = content.owner
    fields["valid_from"] = content.valid_from.isoformat() if content.valid_from else ""
    fields["valid_until"] = content.valid_until.isoformat() if content.valid_until else ""
    return fields


def word_diff(old: str, new: str) -> list[tuple[Operation, str]]:
    """Pieces of text that stayed, went and came, in reading order; joined without the deleted
    ones they give `new`, without the inserted ones `old`."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[tuple[Operation, str]] = []

    def add(operation: Operation, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if pieces and pieces[-1][0] == operation:
            pieces[-1] = (operation, pieces[-1][1] + text)
        else:
            pieces.append((operation, text))

    opcodes = SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < number < len(opcodes) - 1
        if tag == "equal" and not (between_changes and not "".join(before[i1:i2]).strip()):
            add("equal", before[i1:i2])
            continue
        # A space alone between two changes reads better as part of both.
        add("delete", before[i1:i2])
        add("insert", after[j1:j2])
    return _grouped(pieces)


def _grouped(pieces: list[tuple[Operation, str]]) -> list[tuple[Operation, str]]:
    """Each run of changes as one deletion followed by one insertion."""
    grouped: list[tuple[Operation, str]] = []
    run: dict[Operation, str] = {"delete": "", "insert": ""}

    def flush() -> None:
        for operation in ("delete", "insert"):
            if run[operation]:
                grouped.append((operation, run[operation]))
                run[operation] = ""

    for operation, text in pieces:
        if operation == "equal":
            flush()
            grouped.append((operation, text))
        else:
            run[operation] += text
    flush()
    return grouped


def changes(old: Content | None, new: Content) -> list[FieldChange]:
    """The fields that differ; against no earlier version, every field that has a value."""
    before = _fields(old) if old else {}
    after = _fields(new)
    return [
        FieldChange(name, word_diff(before.get(name, ""), value))
        for name, value in after.items()
        if before.get(name, "") != value
    ]
