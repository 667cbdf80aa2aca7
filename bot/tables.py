"""Database tables of conversations and their messages (the archive)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from knowledge_base.tables import UtcDateTime, utcnow


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ConversationRow(Base):
    __tablename__ = "conversation"
    __table_args__ = (Index("ix_conversation_channel_key", "channel", "channel_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_key: Mapped[str] = mapped_column(String(200))
    """Where the resident is on the channel (a Telegram chat id, a WhatsApp number; for the web
    chat the conversation's own id): what replies are sent to."""
    state: Mapped[str] = mapped_column(String(20), default="bot")
    """`bot`, `queued` (waiting for an agent), `agent` (an agent holds it) or `closed`."""
    language: Mapped[str] = mapped_column(String(5), default="nl")
    handoff_reason: Mapped[str | None] = mapped_column(String(60))
    urgency: Mapped[int] = mapped_column(Integer, default=0)
    """Higher goes first in the queue; safety messages get the highest."""
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    """The resident's pseudonym: a keyed hash of channel and channel key (see `bot.sealing`)."""
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    """Kept whatever its retention period or an erasure request says, until the hold is lifted."""
    legal_hold_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MessageRow(Base):
    """One archived message. Never updated: a correction is a new message (see `bot.sealing`)."""

    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("conversation_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(3))
    """`in` from the resident, `out` to the resident."""
    sender: Mapped[str] = mapped_column(String(20))
    """`resident`, `bot`, `agent` or `system`."""
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(5))
    external_id: Mapped[str | None] = mapped_column(String(200))
    """The channel's own id of an inbound message, to drop replays."""
    intent: Mapped[str | None] = mapped_column(String(80))
    confidence: Mapped[float | None] = mapped_column(Float)
    kb_entry_id: Mapped[str | None] = mapped_column(String(120))
    kb_entry_version: Mapped[int | None] = mapped_column(Integer)
    kb_score: Mapped[float | None] = mapped_column(Float)
    handoff_reason: Mapped[str | None] = mapped_column(String(60))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    """The agent who wrote an agent message."""
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Channel extras of an outbound message, such as quick-reply choices."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    text_encrypted: Mapped[str | None] = mapped_column(Text)
    """The original text, encrypted, when `text` has its personal data masked."""
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of this record and `prev_hash`: the conversation's hash chain."""


class NoteRow(Base):
    """An agent's internal note on a conversation: part of the record, never sent."""

    __tablename__ = "conversation_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WebchatSessionRow(Base):
    __tablename__ = "webchat_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StaffUserRow(Base):
    """A member of staff who logs in to the console: agent, editor, approver or admin."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    """Argon2id, with its parameters and salt."""
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(100))
    """Space-separated: `agent`, `editor`, `approver`, `admin`."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StaffSessionRow(Base):
    __tablename__ = "staff_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DestructionRow(Base):
    """What was destroyed, when and under which rule: kept when the conversation is gone."""

    __tablename__ = "destruction_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))
    """`retention` (its period ended) or `erasure` (the resident asked)."""
    rule: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(120))
    conversation_id: Mapped[str] = mapped_column(String(36), index=True)
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    """So an access request can show what was erased; a pseudonym, not the resident's id."""
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    message_count: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    chain_head: Mapped[str | None] = mapped_column(String(64))
    """The hash of the conversation's last message: proof of what was destroyed."""
    rasa_events: Mapped[int | None] = mapped_column(Integer)
    """Events of the conversation removed from Rasa's tracker store; None when Rasa kept them
    in its memory only (no SQL tracker store)."""


class AuditRow(Base):
    """A staff action on the archive or the knowledge base. Never updated or deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
