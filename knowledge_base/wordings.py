"""Residents' wordings: how residents asked an entry's question, in their own words.

An entry has one or a few questions as an editor writes them ("Wat moet ik doen als mijn
paspoort is gestolen?"); residents write "paspoort gejat op vakantie wat nu". Their wordings,
kept per entry id in a file beside the knowledge base, are compared with a question by meaning
only: the best match among an entry's questions, answer openings and wordings is its semantic
score. They are never shown, and their words stay out of the lexical and character scores, where
a resident's everyday words ("mag", "kan ik", "wat nu") would match every other resident's.

Two sources are used together. The file beside the knowledge base ships with Loket (the wordings
the answer model was fitted with); a wording for an entry that is not in the knowledge base is
read and never used, so one file serves the starter entries and an imported rijksoverheid corpus
alike. The database holds the municipality's own: an agent who sees a resident's question go
unanswered or wrongly answered proposes it, rewritten where needed, as a wording of the right
entry; someone else approves it (four eyes), and from then on every loket process reads it
(`knowledge_base.live`). An approver can remove it again.

A wording is how residents ask, never a message as a resident sent it: no names, addresses or
numbers, for its vector is stored with the entries' texts and it is exported with them. The staff
API refuses one with personal data it can recognise (bot/personal_data.py); the reviewer is
there for the rest.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge_base import live
from knowledge_base.errors import FourEyes, InvalidContent, UnknownEntry, WrongState
from knowledge_base.tables import EntryRow, WordingRow

HEADER: Final = ("entry", "wording")
MIN_WORDING_CHARS: Final = 3
MAX_WORDING_CHARS: Final = 300
"""As long as an entry's own question may be."""


class WordingsError(ValueError):
    """A wordings file that cannot be read; the message says where and why."""


def read_wordings(path: Path | None) -> Mapping[str, tuple[str, ...]]:
    """Per entry id, its wordings in file order; none without a path. A TSV with the header
    `entry<TAB>wording`; lines starting with `#` are comments."""
    if path is None:
        return {}
    try:
        with path.open(encoding="utf-8", newline="") as file:
            lines = [line for line in file if line.strip() and not line.startswith("#")]
    except OSError as error:
        raise WordingsError(f"{path}: {error.strerror}") from error
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != HEADER:
        raise WordingsError(f"{path}: the first line must be {'<TAB>'.join(HEADER)}")
    found: dict[str, list[str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(HEADER) or not all(field.strip() for field in row):
            raise WordingsError(f"{path}: line {number} needs an entry id and a wording")
        entry, wording = (field.strip() for field in row)
        if wording not in found.setdefault(entry, []):
            found[entry].append(wording)
    return {entry: tuple(wordings) for entry, wordings in found.items()}


def merged(*sources: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Per entry id, the wordings of every source in order, each once."""
    found: dict[str, list[str]] = {}
    for source in sources:
        for entry, wordings in source.items():
            known = found.setdefault(entry, [])
            known += [w for w in wordings if w not in known]
    return {entry: tuple(wordings) for entry, wordings in found.items()}


class WordingStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    """Used for retrieval."""
    REJECTED = "rejected"
    REMOVED = "removed"
    """Was used, no longer."""


@dataclass(frozen=True)
class Wording:
    id: int
    entry_id: str
    text: str
    status: WordingStatus
    proposed_by: str
    proposed_at: datetime
    conversation_id: str | None
    decided_by: str | None
    decided_at: datetime | None
    note: str | None

    @classmethod
    def of(cls, row: WordingRow) -> Wording:
        return cls(
            id=row.id,
            entry_id=row.entry_id,
            text=row.text,
            status=WordingStatus(row.status),
            proposed_by=row.proposed_by,
            proposed_at=row.proposed_at,
            conversation_id=row.conversation_id,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            note=row.note,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entry_id": self.entry_id,
            "text": self.text,
            "status": self.status.value,
            "proposed_by": self.proposed_by,
            "proposed_at": self.proposed_at.isoformat(),
            "conversation_id": self.conversation_id,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "note": self.note,
        }


def tidy(text: str) -> str:
    """The wording on one line with single spaces, or InvalidContent."""
    tidied = " ".join(text.split())
    if not MIN_WORDING_CHARS <= len(tidied) <= MAX_WORDING_CHARS:
        raise InvalidContent(f"A wording has {MIN_WORDING_CHARS} to {MAX_WORDING_CHARS} characters")
    return tidied


def _same(session: Session, entry_id: str, text: str) -> WordingRow | None:
    """The entry's wording with this text, whatever its case, proposed or used before."""
    rows = session.scalars(select(WordingRow).where(WordingRow.entry_id == entry_id))
    return next((row for row in rows if row.text.casefold() == text.casefold()), None)


def _proposal(
    session: Session, entry_id: str, text: str, proposer: str, conversation_id: str | None
) -> WordingRow:
    if session.get(EntryRow, entry_id) is None:
        raise UnknownEntry(f"There is no entry '{entry_id}'")
    text = tidy(text)
    row = _same(session, entry_id, text)
    if row is not None and row.status == WordingStatus.PROPOSED:
        raise WrongState(f"This wording of '{entry_id}' is waiting for approval already")
    if row is not None and row.status == WordingStatus.APPROVED:
        raise WrongState(f"This wording of '{entry_id}' is in use already")
    return _offered(session, row or WordingRow(entry_id=entry_id), text, proposer, conversation_id)


def _offered(
    session: Session, row: WordingRow, text: str, proposer: str, conversation_id: str | None
) -> WordingRow:
    """`row` (new, or rejected or removed before) proposed with the tidied `text`."""
    row.text = text
    row.status = WordingStatus.PROPOSED.value
    row.proposed_by = proposer
    row.proposed_at = datetime.now(UTC)
    row.conversation_id = conversation_id
    row.decided_by = row.decided_at = row.note = None
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:  # the same text, proposed by someone else at this moment
        raise WrongState(f"This wording of '{row.entry_id}' was proposed meanwhile") from error
    return row


def propose(
    session: Session,
    entry_id: str,
    text: str,
    proposer: str,
    conversation_id: str | None = None,
) -> Wording:
    """Offer `text` as a wording of the entry, for someone else to approve. One that was
    rejected or removed before may be offered again."""
    return Wording.of(_proposal(session, entry_id, text, proposer, conversation_id))


def _get(session: Session, wording_id: int) -> WordingRow:
    row = session.get(WordingRow, wording_id)
    if row is None:
        raise UnknownEntry(f"There is no wording {wording_id}")
    return row


def wording(session: Session, wording_id: int) -> Wording:
    return Wording.of(_get(session, wording_id))


def _row(session: Session, wording_id: int, status: WordingStatus, step: str) -> WordingRow:
    row = _get(session, wording_id)
    if row.status != status:
        raise WrongState(f"Only a {status.value} wording can be {step}; this one is {row.status}")
    return row


def _decide(row: WordingRow, status: WordingStatus, actor: str, note: str = "") -> Wording:
    row.status = status.value
    row.decided_by = actor
    row.decided_at = datetime.now(UTC)
    row.note = note.strip() or None
    return Wording.of(row)


def approve(session: Session, wording_id: int, approver: str) -> Wording:
    """Use a proposed wording from now on: approved by someone else than who proposed it."""
    row = _row(session, wording_id, WordingStatus.PROPOSED, "approved")
    if row.proposed_by == approver:
        raise FourEyes("You proposed this wording: someone else must approve it")
    live.bump(session, live.KNOWLEDGE_BASE)
    return _decide(row, WordingStatus.APPROVED, approver)


def reject(session: Session, wording_id: int, actor: str, note: str = "") -> Wording:
    """Turn a proposed wording down (or withdraw one's own proposal), saying why."""
    row = _row(session, wording_id, WordingStatus.PROPOSED, "rejected")
    return _decide(row, WordingStatus.REJECTED, actor, note)


def remove(session: Session, wording_id: int, actor: str, note: str = "") -> Wording:
    """Stop using an approved wording, saying why."""
    row = _row(session, wording_id, WordingStatus.APPROVED, "removed")
    live.bump(session, live.KNOWLEDGE_BASE)
    return _decide(row, WordingStatus.REMOVED, actor, note)


def import_wordings(
    session: Session, wordings: Mapping[str, Sequence[str]], actor: str, approved: bool
) -> int:
    """Wordings that came with imported entries: proposed, or with `approved` in use at once
    like the import's published versions (its author's own decision, as the audit log
    records). A wording someone rejected or removed stays so; how many were added. The
    entries are the import's own, in the knowledge base already."""
    added = 0
    for entry_id, texts in wordings.items():
        for text in map(tidy, texts):
            row = _same(session, entry_id, text)
            if row is None:
                row = _offered(session, WordingRow(entry_id=entry_id), text, actor, None)
            elif not (approved and row.status == WordingStatus.PROPOSED):
                continue
            if approved:
                _decide(row, WordingStatus.APPROVED, actor)
            added += 1
    if added and approved:
        live.bump(session, live.KNOWLEDGE_BASE)
    return added


def of_entry(session: Session, entry_id: str) -> list[Wording]:
    """Every wording ever proposed for the entry, newest first."""
    rows = session.scalars(
        select(WordingRow)
        .where(WordingRow.entry_id == entry_id)
        .order_by(WordingRow.proposed_at.desc(), WordingRow.id.desc())
    )
    return [Wording.of(row) for row in rows]


def proposed(session: Session) -> list[Wording]:
    """Wordings waiting for a second pair of eyes, oldest first."""
    rows = session.scalars(
        select(WordingRow)
        .where(WordingRow.status == WordingStatus.PROPOSED.value)
        .order_by(WordingRow.proposed_at, WordingRow.id)
    )
    return [Wording.of(row) for row in rows]


def approved(session: Session) -> dict[str, tuple[str, ...]]:
    """Per entry id, the wordings in use, in the order they were proposed."""
    found: dict[str, list[str]] = {}
    rows = session.execute(
        select(WordingRow.entry_id, WordingRow.text)
        .where(WordingRow.status == WordingStatus.APPROVED.value)
        .order_by(WordingRow.id)
    ).tuples()
    for entry_id, text in rows:
        found.setdefault(entry_id, []).append(text)
    return {entry_id: tuple(texts) for entry_id, texts in found.items()}
