"""Reading and writing entries in the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from knowledge_base.entries import Entry, Status
from knowledge_base.tables import EntryRow, EntryVersionRow


def count_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EntryRow)) or 0


def add_entries(session: Session, entries: Iterable[Entry], status: Status) -> int:
    """Store each entry as a new entry with its first version; returns how many were added."""
    added = 0
    for entry in entries:
        session.add(EntryRow(id=entry.id, external_id=entry.external_id, topic=entry.topic))
        session.add(
            EntryVersionRow(
                entry_id=entry.id,
                version=entry.version,
                status=status.value,
                questions={lang: list(qs) for lang, qs in entry.questions.items()},
                answers=dict(entry.answers),
                source_url=entry.source_url,
                owner=entry.owner,
            )
        )
        added += 1
    return added


def answerable_entries(session: Session, now: datetime | None = None) -> list[Entry]:
    """The published version of every entry whose validity window includes `now`."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(EntryVersionRow, EntryRow)
        .join(EntryRow, EntryRow.id == EntryVersionRow.entry_id)
        .where(EntryVersionRow.status == Status.PUBLISHED.value)
        .where(or_(EntryVersionRow.valid_from.is_(None), EntryVersionRow.valid_from <= now))
        .where(or_(EntryVersionRow.valid_until.is_(None), EntryVersionRow.valid_until > now))
        .order_by(EntryVersionRow.entry_id, EntryVersionRow.version.desc())
    ).all()
    entries: dict[str, Entry] = {}
    for version, entry in rows:
        if entry.id in entries:
            continue
        entries[entry.id] = Entry(
            id=entry.id,
            version=version.version,
            topic=entry.topic,
            questions=version.questions,
            answers=version.answers,
            source_url=version.source_url,
            owner=version.owner,
            external_id=entry.external_id,
        )
    return list(entries.values())
