"""An entry's versions through the editors' workflow.

An editor saves a draft (every save is a new version), offers it for review, and someone else
approves it: only then is it published. The answer residents get is the newest published version
whose validity window includes now. A version without an end replaces the earlier published ones
once it is in force; one with an end (a road closed until Friday) is temporary: when it ends,
the earlier answer is given again. A rollback publishes an earlier approved text again as a new
version; retiring an entry stops it from answering at all. Every step raises the knowledge
base's revision, which every loket process follows (`knowledge_base.live`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from knowledge_base import live, store
from knowledge_base.entries import Entry, Status
from knowledge_base.errors import FourEyes, InvalidContent, UnknownEntry, WrongState
from knowledge_base.tables import EntryRow, EntryVersionRow
from knowledge_base.text import LANGUAGES, Language

MAX_QUESTIONS: Final = 50
MAX_QUESTION_CHARS: Final = 300
MAX_ANSWER_CHARS: Final = 4000
"""An answer is one chat message; Telegram's own limit is 4096 characters."""
MAX_TOPIC_CHARS: Final = 60
MAX_ID_CHARS: Final = 80
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Content:
    """What an editor writes for one version of an entry."""

    topic: str
    questions: Mapping[Language, Sequence[str]]
    answers: Mapping[Language, str]
    source_url: str = ""
    owner: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    def checked(self) -> Content:
        """The content tidied (blank questions dropped, whitespace trimmed), or InvalidContent
        saying what is wrong."""
        topic = self.topic.strip().lower()
        if not _TOPIC.match(topic) or len(topic) > MAX_TOPIC_CHARS:
            raise InvalidContent(
                "The topic is one word of lower-case letters, digits, '-' or '_' "
                f"(at most {MAX_TOPIC_CHARS} characters)"
            )
        questions = {
            lang: [q.strip() for q in qs if q.strip()]
            for lang, qs in self.questions.items()
            if lang in LANGUAGES
        }
        questions = {lang: qs for lang, qs in questions.items() if qs}
        answers = {
            lang: a.strip() for lang, a in self.answers.items() if lang in LANGUAGES and a.strip()
        }
        if not questions.get("nl"):
            raise InvalidContent("At least one question in Dutch is required")
        if "nl" not in answers:
            raise InvalidContent("An answer in Dutch is required")
        if sum(len(qs) for qs in questions.values()) > MAX_QUESTIONS:
            raise InvalidContent(f"At most {MAX_QUESTIONS} question variants")
        if any(len(q) > MAX_QUESTION_CHARS for qs in questions.values() for q in qs):
            raise InvalidContent(f"A question has at most {MAX_QUESTION_CHARS} characters")
        if any(len(a) > MAX_ANSWER_CHARS for a in answers.values()):
            raise InvalidContent(f"An answer has at most {MAX_ANSWER_CHARS} characters")
        source_url = self.source_url.strip()
        if source_url and not re.match(r"^https?://\S+$", source_url):
            raise InvalidContent("The source is a web address starting with https://")
        for moment in (self.valid_from, self.valid_until):
            if moment is not None and moment.tzinfo is None:
                raise InvalidContent("Dates need a time zone")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise InvalidContent("'Valid until' must be after 'valid from'")
        return Content(
            topic,
            questions,
            answers,
            source_url,
            self.owner.strip(),
            self.valid_from,
            self.valid_until,
        )


@dataclass(frozen=True)
class Version:
    """One version of an entry with where it is in the workflow."""

    entry_id: str
    version: int
    status: Status
    content: Content
    author: str
    created_at: datetime
    based_on: int | None
    approved_by: str | None
    approved_at: datetime | None
    review_note: str | None
    external_id: str | None = None

    @classmethod
    def of(cls, entry: EntryRow, row: EntryVersionRow) -> Version:
        return cls(
            entry_id=row.entry_id,
            version=row.version,
            status=Status(row.status),
            content=Content(
                topic=row.topic,
                questions=cast("dict[Language, list[str]]", row.questions),
                answers=cast("dict[Language, str]", row.answers),
                source_url=row.source_url,
                owner=row.owner,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
            ),
            author=row.author,
            created_at=row.created_at,
            based_on=row.based_on,
            approved_by=row.approved_by,
            approved_at=row.approved_at,
            review_note=row.review_note,
            external_id=entry.external_id,
        )

    def entry(self) -> Entry:
        return Entry(
            id=self.entry_id,
            version=self.version,
            topic=self.content.topic,
            questions=self.content.questions,
            answers=self.content.answers,
            source_url=self.content.source_url,
            owner=self.content.owner,
            external_id=self.external_id,
            valid_from=self.content.valid_from,
            valid_until=self.content.valid_until,
        )

    def state(self, answering: int | None, now: datetime) -> str:
        """What an editor needs to know: `draft`, `in_review`, `live` (residents get this one),
        `scheduled`, `expired`, `superseded` (a newer version answers) or `retired`."""
        if self.status is not Status.PUBLISHED:
            return self.status.value
        if self.version == answering:
            return "live"
        if self.content.valid_from and self.content.valid_from > now:
            return "scheduled"
        if self.content.valid_until and self.content.valid_until <= now:
            return "expired"
        return "superseded"

    def as_json(self, answering: int | None, now: datetime) -> dict[str, Any]:
        content = self.content

        def moment(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "entry_id": self.entry_id,
            "version": self.version,
            "status": self.status.value,
            "state": self.state(answering, now),
            "topic": content.topic,
            "questions": {lang: list(qs) for lang, qs in content.questions.items()},
            "answers": dict(content.answers),
            "source_url": content.source_url,
            "owner": content.owner,
            "valid_from": moment(content.valid_from),
            "valid_until": moment(content.valid_until),
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "based_on": self.based_on,
            "approved_by": self.approved_by,
            "approved_at": moment(self.approved_at),
            "review_note": self.review_note,
            "external_id": self.external_id,
        }


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:MAX_ID_CHARS].rstrip("-") or "antwoord"


def _new_entry_id(session: Session, question: str) -> str:
    base = _slug(question)
    candidate, number = base, 1
    while session.get(EntryRow, candidate) is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _rows(session: Session, entry_id: str) -> tuple[EntryRow, list[EntryVersionRow]]:
    """The entry and its versions, newest first."""
    entry = session.get(EntryRow, entry_id)
    if entry is None:
        raise UnknownEntry(f"There is no entry '{entry_id}'")
    rows = session.scalars(
        select(EntryVersionRow)
        .where(EntryVersionRow.entry_id == entry_id)
        .order_by(EntryVersionRow.version.desc())
    ).all()
    return entry, list(rows)


def _row(session: Session, entry_id: str, version: int) -> tuple[EntryRow, EntryVersionRow]:
    entry, rows = _rows(session, entry_id)
    for row in rows:
        if row.version == version:
            return entry, row
    raise UnknownEntry(f"Entry '{entry_id}' has no version {version}")


def answering_version(session: Session, entry_id: str, now: datetime | None = None) -> int | None:
    """The version residents get now, if any."""
    return store.answerable_versions(session, now, entry_ids=[entry_id]).get(entry_id)


def save_draft(
    session: Session,
    entry_id: str | None,
    content: Content,
    author: str,
    based_on: int | None = None,
) -> Version:
    """A new draft version; without `entry_id`, of a new entry named after its first question.
    `based_on` is the version the editor started from: when someone saved a newer one
    meanwhile, the draft is refused rather than silently overwriting their change."""
    content = content.checked()
    if entry_id is None:
        entry = EntryRow(id=_new_entry_id(session, content.questions["nl"][0]), topic=content.topic)
        session.add(entry)
        number = 1
    else:
        entry, rows = _rows(session, entry_id)
        newest = rows[0].version if rows else 0
        if based_on is not None and based_on != newest:
            raise WrongState(
                f"Someone saved version {newest} of '{entry_id}' meanwhile; "
                "open that one and make your change again"
            )
        number = newest + 1
    row = EntryVersionRow(
        entry_id=entry.id,
        version=number,
        status=Status.DRAFT.value,
        topic=content.topic,
        questions={lang: list(qs) for lang, qs in content.questions.items()},
        answers=dict(content.answers),
        source_url=content.source_url,
        owner=content.owner,
        valid_from=content.valid_from,
        valid_until=content.valid_until,
        author=author,
        based_on=based_on,
    )
    session.add(row)
    session.flush()
    return Version.of(entry, row)


def submit(session: Session, entry_id: str, version: int) -> Version:
    """Offer a draft for review."""
    entry, row = _row(session, entry_id, version)
    if row.status != Status.DRAFT.value:
        raise WrongState(f"Only a draft can be offered for review; this one is {row.status}")
    row.status = Status.IN_REVIEW.value
    row.review_note = None
    return Version.of(entry, row)


def reject(session: Session, entry_id: str, version: int, note: str) -> Version:
    """Send a version in review back to its author as a draft, saying why."""
    entry, row = _row(session, entry_id, version)
    if row.status != Status.IN_REVIEW.value:
        raise WrongState(f"Only a version in review can be sent back; this one is {row.status}")
    row.status = Status.DRAFT.value
    row.review_note = note.strip() or None
    return Version.of(entry, row)


def _publish(
    session: Session, entry: EntryRow, row: EntryVersionRow, approver: str, now: datetime
) -> None:
    row.status = Status.PUBLISHED.value
    row.approved_by = approver
    row.approved_at = now
    in_force = row.valid_from is None or row.valid_from <= now
    if in_force and row.valid_until is None:
        session.execute(
            update(EntryVersionRow)
            .where(
                EntryVersionRow.entry_id == entry.id,
                EntryVersionRow.status == Status.PUBLISHED.value,
                EntryVersionRow.version < row.version,
            )
            .values(status=Status.RETIRED.value)
        )
    entry.topic = row.topic
    live.bump(session, live.KNOWLEDGE_BASE)


def approve(
    session: Session, entry_id: str, version: int, approver: str, now: datetime | None = None
) -> Version:
    """Publish a version in review: by someone else than its author (four eyes)."""
    now = now or datetime.now(UTC)
    entry, rows = _rows(session, entry_id)
    row = next((r for r in rows if r.version == version), None)
    if row is None:
        raise UnknownEntry(f"Entry '{entry_id}' has no version {version}")
    if row.status != Status.IN_REVIEW.value:
        raise WrongState(f"Only a version in review can be approved; this one is {row.status}")
    if row.author == approver:
        raise FourEyes("You wrote this version: someone else must approve it")
    newer = [r.version for r in rows if r.version > version and r.approved_by is not None]
    if newer:
        raise WrongState(
            f"Version {newer[0]} was published after this one was written; edit that one instead"
        )
    _publish(session, entry, row, approver, now)
    return Version.of(entry, row)


def rollback(
    session: Session, entry_id: str, to_version: int, actor: str, now: datetime | None = None
) -> Version:
    """Publish the text of an earlier approved version again, as a new version in force now.
    The text had its second pair of eyes when it was first published."""
    now = now or datetime.now(UTC)
    entry, rows = _rows(session, entry_id)
    target = next((r for r in rows if r.version == to_version), None)
    if target is None:
        raise UnknownEntry(f"Entry '{entry_id}' has no version {to_version}")
    if target.approved_by is None:
        raise WrongState("Only a version that was published once can be restored")
    row = EntryVersionRow(
        entry_id=entry.id,
        version=rows[0].version + 1,
        status=Status.IN_REVIEW.value,
        topic=target.topic,
        questions=target.questions,
        answers=target.answers,
        source_url=target.source_url,
        owner=target.owner,
        author=actor,
        based_on=target.version,
    )
    session.add(row)
    session.flush()
    _publish(session, entry, row, actor, now)
    return Version.of(entry, row)


def retire(session: Session, entry_id: str) -> list[int]:
    """Stop an entry from answering: its published versions are retired. Which they were."""
    _, rows = _rows(session, entry_id)
    published = [r for r in rows if r.status == Status.PUBLISHED.value]
    if not published:
        raise WrongState(f"'{entry_id}' has no published version")
    for row in published:
        row.status = Status.RETIRED.value
    live.bump(session, live.KNOWLEDGE_BASE)
    return [row.version for row in published]


def versions(session: Session, entry_id: str) -> list[Version]:
    """Every version of an entry, newest first."""
    entry, rows = _rows(session, entry_id)
    return [Version.of(entry, row) for row in rows]


def version(session: Session, entry_id: str, number: int) -> Version:
    return Version.of(*_row(session, entry_id, number))


def newest(session: Session, entry_id: str) -> Version:
    """The newest version, or UnknownEntry."""
    entry, rows = _rows(session, entry_id)
    if not rows:
        raise UnknownEntry(f"Entry '{entry_id}' has no versions")
    return Version.of(entry, rows[0])


def newest_versions(session: Session) -> list[Version]:
    """Every entry's newest version (for the editor's list)."""
    newest_numbers = (
        select(EntryVersionRow.entry_id, func.max(EntryVersionRow.version).label("version"))
        .group_by(EntryVersionRow.entry_id)
        .subquery()
    )
    rows = session.execute(
        select(EntryRow, EntryVersionRow)
        .join(EntryVersionRow, EntryVersionRow.entry_id == EntryRow.id)
        .join(
            newest_numbers,
            (newest_numbers.c.entry_id == EntryVersionRow.entry_id)
            & (newest_numbers.c.version == EntryVersionRow.version),
        )
        .order_by(EntryRow.id)
    ).all()
    return [Version.of(entry, row) for entry, row in rows]


def in_review(session: Session) -> list[Version]:
    """Versions waiting for a second pair of eyes, oldest first."""
    rows = session.execute(
        select(EntryRow, EntryVersionRow)
        .join(EntryVersionRow, EntryVersionRow.entry_id == EntryRow.id)
        .where(EntryVersionRow.status == Status.IN_REVIEW.value)
        .order_by(EntryVersionRow.created_at)
    ).all()
    return [Version.of(entry, row) for entry, row in rows]


def topics(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(EntryVersionRow.topic).distinct())))
