"""Reading and writing entries in the database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Final, cast

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from knowledge_base import live
from knowledge_base.entries import Entry, Status
from knowledge_base.tables import EntryRow, EntryVersionRow
from knowledge_base.text import Language

_IDS_PER_QUERY: Final = 500
"""Below every database's limit on bound parameters."""


def count_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EntryRow)) or 0


def version_row(entry: Entry, version: int, status: Status, author: str) -> EntryVersionRow:
    """A new version of `entry` with its content; published by `author` when `status` says so."""
    published = status is Status.PUBLISHED
    return EntryVersionRow(
        entry_id=entry.id,
        version=version,
        status=status.value,
        topic=entry.topic,
        questions={lang: list(qs) for lang, qs in entry.questions.items()},
        answers=dict(entry.answers),
        source_url=entry.source_url,
        owner=entry.owner,
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
        author=author,
        approved_by=author if published else None,
        approved_at=datetime.now(UTC) if published else None,
    )


def import_entries(
    session: Session, entries: Iterable[Entry], status: Status, author: str = ""
) -> dict[str, int]:
    """Add new entries, and a new version of each existing entry whose content changed.

    A newly published version retires the entry's earlier published versions: an import with
    `status` published is its author's own decision, outside the editors' four eyes (the audit
    log says who). Returns counts of entries `added`, `updated` (a new version) and `unchanged`.
    """
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for entry in entries:
        row = session.get(EntryRow, entry.id)
        if row is None:
            session.add(EntryRow(id=entry.id, external_id=entry.external_id, topic=entry.topic))
            session.add(version_row(entry, 1, status, author))
            counts["added"] += 1
            continue
        latest = session.scalars(
            select(EntryVersionRow)
            .where(EntryVersionRow.entry_id == entry.id)
            .order_by(EntryVersionRow.version.desc())
            .limit(1)
        ).one()
        same = (
            latest.questions == {lang: list(qs) for lang, qs in entry.questions.items()}
            and latest.answers == dict(entry.answers)
            and latest.source_url == entry.source_url
            and latest.topic == entry.topic
            and (latest.valid_from, latest.valid_until) == (entry.valid_from, entry.valid_until)
        )
        if same:
            counts["unchanged"] += 1
            continue
        if status is Status.PUBLISHED:
            session.execute(
                update(EntryVersionRow)
                .where(EntryVersionRow.entry_id == entry.id)
                .where(EntryVersionRow.status == Status.PUBLISHED.value)
                .values(status=Status.RETIRED.value)
            )
        row.topic = entry.topic
        session.add(version_row(entry, latest.version + 1, status, author))
        counts["updated"] += 1
    if counts["added"] or counts["updated"]:
        live.bump(session, live.KNOWLEDGE_BASE)
    return counts


def latest_versions(session: Session) -> list[tuple[Entry, Status]]:
    """Every entry's newest version, whatever its status (for export and review)."""
    rows = session.execute(
        select(EntryVersionRow, EntryRow)
        .join(EntryRow, EntryRow.id == EntryVersionRow.entry_id)
        .order_by(EntryVersionRow.entry_id, EntryVersionRow.version.desc())
    ).all()
    latest: dict[str, tuple[Entry, Status]] = {}
    for version, entry in rows:
        if entry.id not in latest:
            latest[entry.id] = (entry_of(entry, version), Status(version.status))
    return list(latest.values())


def entry_of(entry: EntryRow, version: EntryVersionRow) -> Entry:
    return Entry(
        id=entry.id,
        version=version.version,
        topic=version.topic,
        # JSON columns, written by this module from an Entry.
        questions=cast("dict[Language, list[str]]", version.questions),
        answers=cast("dict[Language, str]", version.answers),
        source_url=version.source_url,
        owner=version.owner,
        external_id=entry.external_id,
        valid_from=version.valid_from,
        valid_until=version.valid_until,
    )


def _answerable(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        EntryVersionRow.status == Status.PUBLISHED.value,
        or_(EntryVersionRow.valid_from.is_(None), EntryVersionRow.valid_from <= now),
        or_(EntryVersionRow.valid_until.is_(None), EntryVersionRow.valid_until > now),
    )


def answerable_entries(session: Session, now: datetime | None = None) -> list[Entry]:
    """The published version of every entry whose validity window includes `now`."""
    rows = session.execute(
        select(EntryVersionRow, EntryRow)
        .join(EntryRow, EntryRow.id == EntryVersionRow.entry_id)
        .where(*_answerable(now or datetime.now(UTC)))
        .order_by(EntryVersionRow.entry_id, EntryVersionRow.version.desc())
    ).all()
    entries: dict[str, Entry] = {}
    for version, entry in rows:
        if entry.id in entries:
            continue
        entries[entry.id] = entry_of(entry, version)
    return list(entries.values())


def answerable_versions(
    session: Session, now: datetime | None = None, entry_ids: Sequence[str] | None = None
) -> dict[str, int]:
    """Which version of each entry (or of `entry_ids`) `answerable_entries` gives, without
    loading the entries."""
    # Without GROUP BY, SQLite reads the table in order instead of row by row along an index.
    query = select(EntryVersionRow.entry_id, EntryVersionRow.version).where(
        *_answerable(now or datetime.now(UTC))
    )
    if entry_ids is not None:
        query = query.where(EntryVersionRow.entry_id.in_(entry_ids))
    rows = session.execute(query).tuples()
    versions: dict[str, int] = {}
    for entry_id, version in rows:
        if version > versions.get(entry_id, 0):
            versions[entry_id] = version
    return versions


def entry_versions(session: Session, wanted: Mapping[str, int]) -> list[Entry]:
    """The given version of each entry (entry id -> version)."""
    entries = []
    ids = list(wanted)
    for start in range(0, len(ids), _IDS_PER_QUERY):
        rows = session.execute(
            select(EntryVersionRow, EntryRow)
            .join(EntryRow, EntryRow.id == EntryVersionRow.entry_id)
            .where(EntryVersionRow.entry_id.in_(ids[start : start + _IDS_PER_QUERY]))
        ).all()
        entries += [entry_of(e, v) for v, e in rows if wanted[e.id] == v.version]
    return entries


def next_change(session: Session, now: datetime) -> datetime | None:
    """The next moment a published version comes into force or ends, when what is answerable
    changes without anyone changing the knowledge base."""
    published = EntryVersionRow.status == Status.PUBLISHED.value
    starts = session.scalar(
        select(func.min(EntryVersionRow.valid_from)).where(
            published, EntryVersionRow.valid_from > now
        )
    )
    ends = session.scalar(
        select(func.min(EntryVersionRow.valid_until)).where(
            published, EntryVersionRow.valid_until > now
        )
    )
    moments = [m for m in (starts, ends) if m is not None]
    return min(moments) if moments else None
