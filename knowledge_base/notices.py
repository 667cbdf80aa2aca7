"""Crisis notices: an urgent message that every channel shows from its start to its end.

A notice is written, offered for review and approved by someone else, like an entry; in a
crisis an approver may publish one alone on the urgent path, which is recorded as such. Once
published a notice is not edited: a correction is a new notice that replaces it, and the old one
ends when the new one is published. Ending a notice early sets its end to now.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from knowledge_base import live
from knowledge_base.entries import Status
from knowledge_base.errors import FourEyes, InvalidContent, UnknownEntry, WrongState
from knowledge_base.tables import NoticeRow
from knowledge_base.text import LANGUAGES, Language

MAX_TITLE_CHARS: Final = 120
MAX_BODY_CHARS: Final = 1000
"""A notice comes before or with an answer: short enough to read on a phone."""
MAX_DURATION: Final = timedelta(days=90)
MAX_PUSH_HOURS: Final = 72


@dataclass(frozen=True)
class NoticeContent:
    title: Mapping[Language, str]
    body: Mapping[Language, str]
    """What happened, what to do."""
    starts_at: datetime
    ends_at: datetime
    url: str = ""
    """Where residents find updates."""
    topics: Sequence[str] = ()
    push_hours: int | None = None
    replaces: int | None = None

    def checked(self) -> NoticeContent:
        title = {k: v.strip() for k, v in self.title.items() if k in LANGUAGES and v.strip()}
        body = {k: v.strip() for k, v in self.body.items() if k in LANGUAGES and v.strip()}
        if "nl" not in title or "nl" not in body:
            raise InvalidContent("A notice needs a title and a text in Dutch")
        if any(len(t) > MAX_TITLE_CHARS for t in title.values()):
            raise InvalidContent(f"A title has at most {MAX_TITLE_CHARS} characters")
        if any(len(b) > MAX_BODY_CHARS for b in body.values()):
            raise InvalidContent(f"A notice's text has at most {MAX_BODY_CHARS} characters")
        url = self.url.strip()
        if url and not re.match(r"^https?://\S+$", url):
            raise InvalidContent("The updates page is a web address starting with https://")
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise InvalidContent("Dates need a time zone")
        if self.ends_at <= self.starts_at:
            raise InvalidContent("A notice must end after it starts")
        if self.ends_at - self.starts_at > MAX_DURATION:
            raise InvalidContent(f"A notice lasts at most {MAX_DURATION.days} days")
        if self.push_hours is not None and not 1 <= self.push_hours <= MAX_PUSH_HOURS:
            raise InvalidContent(f"Push to residents of the last 1 to {MAX_PUSH_HOURS} hours")
        topics = sorted({t.strip().lower() for t in self.topics if t.strip()})
        return NoticeContent(
            title, body, self.starts_at, self.ends_at, url, topics, self.push_hours, self.replaces
        )


@dataclass(frozen=True)
class Notice:
    id: int
    status: Status
    content: NoticeContent
    author: str
    created_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None
    urgent: bool = False
    ended_by: str | None = None
    pushed: bool = False

    @classmethod
    def of(cls, row: NoticeRow) -> Notice:
        return cls(
            id=row.id,
            status=Status(row.status),
            content=NoticeContent(
                title=cast("dict[Language, str]", row.title),
                body=cast("dict[Language, str]", row.body),
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                url=row.url,
                topics=tuple(row.topics),
                push_hours=row.push_hours,
                replaces=row.replaces,
            ),
            author=row.author,
            created_at=row.created_at,
            approved_by=row.approved_by,
            approved_at=row.approved_at,
            urgent=row.urgent,
            ended_by=row.ended_by,
            pushed=row.pushed_at is not None,
        )

    def live(self, now: datetime) -> bool:
        content = self.content
        return self.status is Status.PUBLISHED and content.starts_at <= now < content.ends_at

    def state(self, now: datetime) -> str:
        """`draft`, `in_review`, `scheduled`, `live` or `ended`."""
        if self.status is not Status.PUBLISHED:
            return self.status.value
        if now < self.content.starts_at:
            return "scheduled"
        return "live" if now < self.content.ends_at else "ended"

    def title_in(self, language: Language) -> str:
        return self.content.title.get(language) or self.content.title["nl"]

    def text_in(self, language: Language) -> tuple[Language, str, str]:
        """(language, title, body): in `language` when the notice has it, else in Dutch."""
        if language in self.content.title and language in self.content.body:
            return language, self.content.title[language], self.content.body[language]
        return "nl", self.content.title["nl"], self.content.body["nl"]

    def as_json(self, now: datetime) -> dict[str, Any]:
        content = self.content
        return {
            "id": self.id,
            "status": self.status.value,
            "state": self.state(now),
            "title": dict(content.title),
            "body": dict(content.body),
            "url": content.url,
            "topics": list(content.topics),
            "starts_at": content.starts_at.isoformat(),
            "ends_at": content.ends_at.isoformat(),
            "push_hours": content.push_hours,
            "replaces": content.replaces,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "approved_by": self.approved_by,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "urgent": self.urgent,
            "ended_by": self.ended_by,
            "pushed": self.pushed,
        }

    def public_json(self) -> dict[str, Any]:
        """What residents' channels (the web chat) get: the text and its window only."""
        content = self.content
        return {
            "id": self.id,
            "title": dict(content.title),
            "body": dict(content.body),
            "url": content.url,
            "starts_at": content.starts_at.isoformat(),
            "ends_at": content.ends_at.isoformat(),
        }


def _row(session: Session, notice_id: int) -> NoticeRow:
    row = session.get(NoticeRow, notice_id)
    if row is None:
        raise UnknownEntry(f"There is no notice {notice_id}")
    return row


def _fill(row: NoticeRow, content: NoticeContent) -> None:
    row.title = {str(k): v for k, v in content.title.items()}
    row.body = {str(k): v for k, v in content.body.items()}
    row.url = content.url
    row.topics = list(content.topics)
    row.starts_at = content.starts_at
    row.ends_at = content.ends_at
    row.push_hours = content.push_hours
    row.replaces = content.replaces


def save(session: Session, notice_id: int | None, content: NoticeContent, author: str) -> Notice:
    """A new draft, or a changed draft (back to draft if it was in review)."""
    content = content.checked()
    if content.replaces is not None:
        replaced = _row(session, content.replaces)
        if replaced.status != Status.PUBLISHED.value:
            raise WrongState("Only a published notice can be replaced")
    if notice_id is None:
        row = NoticeRow(status=Status.DRAFT.value, author=author, urgent=False)
        session.add(row)
    else:
        row = _row(session, notice_id)
        if row.status == Status.PUBLISHED.value:
            raise WrongState("A published notice is not changed: write one that replaces it")
        row.status = Status.DRAFT.value
    _fill(row, content)
    session.flush()
    return Notice.of(row)


def submit(session: Session, notice_id: int) -> Notice:
    row = _row(session, notice_id)
    if row.status != Status.DRAFT.value:
        raise WrongState(f"Only a draft can be offered for review; this one is {row.status}")
    row.status = Status.IN_REVIEW.value
    return Notice.of(row)


def approve(
    session: Session,
    notice_id: int,
    approver: str,
    urgent: bool = False,
    now: datetime | None = None,
) -> Notice:
    """Publish a notice: one in review, by someone else than its author; or, `urgent`, any
    draft by one approver alone (the caller records that it took the urgent path)."""
    now = now or datetime.now(UTC)
    row = _row(session, notice_id)
    allowed = (Status.DRAFT.value, Status.IN_REVIEW.value) if urgent else (Status.IN_REVIEW.value,)
    if row.status not in allowed:
        raise WrongState(f"This notice cannot be published: it is {row.status}")
    if not urgent and row.author == approver:
        raise FourEyes(
            "You wrote this notice: someone else must approve it, or publish it as urgent"
        )
    if row.ends_at <= now:
        raise WrongState("This notice's end has passed; change its end first")
    row.status = Status.PUBLISHED.value
    row.approved_by = approver
    row.approved_at = now
    row.urgent = urgent
    if row.replaces is not None:
        replaced = _row(session, row.replaces)
        if replaced.ends_at > now:
            replaced.ends_at = max(now, replaced.starts_at)
            replaced.ended_by = approver
    live.bump(session, live.NOTICES)
    return Notice.of(row)


def end(session: Session, notice_id: int, actor: str, now: datetime | None = None) -> Notice:
    """End a published notice now (or cancel a scheduled one)."""
    now = now or datetime.now(UTC)
    row = _row(session, notice_id)
    if row.status != Status.PUBLISHED.value or row.ends_at <= now:
        raise WrongState("Only a notice that is live or scheduled can be ended")
    row.ends_at = max(now, row.starts_at)
    row.ended_by = actor
    live.bump(session, live.NOTICES)
    return Notice.of(row)


def claim_push(session: Session, notice_id: int, now: datetime) -> bool:
    """Take on sending the notice to recent residents: true for exactly one caller."""
    claimed = session.execute(
        update(NoticeRow)
        .where(NoticeRow.id == notice_id, NoticeRow.pushed_at.is_(None))
        .values(pushed_at=now)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def notice(session: Session, notice_id: int) -> Notice:
    return Notice.of(_row(session, notice_id))


def recent(session: Session, limit: int = 100) -> list[Notice]:
    """The newest notices first, whatever their state."""
    rows = session.scalars(select(NoticeRow).order_by(NoticeRow.id.desc()).limit(limit))
    return [Notice.of(row) for row in rows]


def current(session: Session, now: datetime) -> list[Notice]:
    """Published notices that have not ended: live now, or later."""
    rows = session.scalars(
        select(NoticeRow)
        .where(NoticeRow.status == Status.PUBLISHED.value, NoticeRow.ends_at > now)
        .order_by(NoticeRow.starts_at, NoticeRow.id)
    )
    return [Notice.of(row) for row in rows]


class NoticeBoard:
    """This process's copy of the current notices; `replace` swaps it whole, so a reader sees
    the old set or the new one."""

    def __init__(self) -> None:
        self._notices: tuple[Notice, ...] = ()

    def replace(self, notices: Sequence[Notice]) -> None:
        self._notices = tuple(notices)

    def live(self, now: datetime | None = None) -> list[Notice]:
        now = now or datetime.now(UTC)
        return [n for n in self._notices if n.live(now)]

    def on_topic(self, topic: str, now: datetime | None = None) -> list[Notice]:
        return [n for n in self.live(now) if topic in n.content.topics]
