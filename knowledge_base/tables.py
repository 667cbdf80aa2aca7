"""Database tables of the knowledge base. An entry's content lives in immutable versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class EntryRow(Base):
    __tablename__ = "kb_entry"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    topic: Mapped[str] = mapped_column(String(60))
    """The topic of the entry's newest version, for lists; each version has its own."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class EntryVersionRow(Base):
    __tablename__ = "kb_entry_version"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("kb_entry.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(60))
    questions: Mapped[dict[str, Any]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_url: Mapped[str] = mapped_column(String(500), default="")
    owner: Mapped[str] = mapped_column(String(120), default="")
    valid_from: Mapped[datetime | None] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(120), default="")
    """Who wrote this version: `staff:NAME` in the editor, `cli:ACCOUNT` on the command line."""
    based_on: Mapped[int | None] = mapped_column(Integer)
    """The version this one was edited from, or restored from by a rollback."""
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    """Why a reviewer sent the version back to its author."""


class WordingRow(Base):
    """A resident's way of asking an entry's question (knowledge_base/wordings.py), proposed by
    staff and used for retrieval once someone else approved it."""

    __tablename__ = "kb_wording"
    __table_args__ = (UniqueConstraint("entry_id", "text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("kb_entry.id"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    """`proposed`, `approved` (used), `rejected` or `removed` (was used, no longer)."""
    proposed_by: Mapped[str] = mapped_column(String(120))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    conversation_id: Mapped[str | None] = mapped_column(String(36))
    """The conversation the resident asked it in, for the reviewer to read it in context."""
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    """Why it was rejected or removed."""


class NoticeRow(Base):
    """A crisis notice: what happened, what to do, where to find updates; shown on every channel
    between `starts_at` and `ends_at` once approved. Published notices are not edited: a
    correction is a new notice that `replaces` the old one, which ends when it is published."""

    __tablename__ = "kb_notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(20))
    """`draft`, `in_review` or `published`; a published notice is live in its window."""
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Per language: what happened and what to do."""
    url: Mapped[str] = mapped_column(String(500), default="")
    """Where residents find updates."""
    topics: Mapped[list[str]] = mapped_column(JSON)
    """Knowledge-base topics whose answers carry a line about this notice."""
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    push_hours: Mapped[int | None] = mapped_column(Integer)
    """When it starts, also sent once to residents who wrote in the last this many hours."""
    pushed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When a loket process took on sending it to those residents (only one does)."""
    replaces: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(120))
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    """Published by one approver without a second pair of eyes, on the urgent path."""
    ended_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RevisionRow(Base):
    """A counter per kind of content (`knowledge_base`, `notices`), raised by every change in
    the change's own transaction: each loket process reads these few rows often and reloads only
    when a number moved."""

    __tablename__ = "live_revision"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class EmbeddingRow(Base):
    """The vector a model gives a text (float32 bytes), so that only new texts are encoded."""

    __tablename__ = "kb_embedding"

    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The model's identity (`SentenceTransformerEncoder.model_identity`)."""
    text_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
