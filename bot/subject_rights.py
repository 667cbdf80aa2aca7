"""Residents' rights under the AVG: access to everything about them, and erasure.

A resident is found by their subject key (see `bot.sealing`), so a request names the channel and
the resident's id there: a Telegram chat id, a WhatsApp number, a web chat's conversation id.
Erasure destroys their conversations except those a legal hold keeps or that the Archiefwet
obliges the municipality to keep until their retention period ends (AVG art. 17(3)(b) and (e)),
and Rasa's copy of what it destroys (see `bot.rasa_events`); the access export says, for
everything that remains, why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import handoff, rasa_events, retention
from bot.sealing import ArchivePolicy
from bot.settings import Settings
from bot.tables import ConversationRow, DestructionRow, MessageRow
from knowledge_base.tables import utcnow

ERASURE_RULE: Final = "Verzoek tot wissing (AVG art. 17)"


def _conversations(session: Session, subject_key: str) -> list[ConversationRow]:
    return list(
        session.scalars(
            select(ConversationRow)
            .where(ConversationRow.subject_key == subject_key)
            .order_by(ConversationRow.created_at)
        )
    )


def kept_because(
    settings: Settings, kept: retention.Retention, now: datetime, state: str = "closed"
) -> list[str]:
    """Why a conversation may not be erased on request; empty when it may."""
    reasons = []
    if state in handoff.OPEN_STATES:
        # Erasing it would pull the conversation from under the agent helping the resident.
        reasons.append("open with the team: erasable once it is closed")
    if kept.legal_hold:
        reasons.append("legal hold")
    if kept.category in settings.obligation_categories and not kept.expired(now):
        reasons.append(
            f"Archiefwet: {retention.rule(settings, kept)}, kept until {kept.until:%Y-%m-%d}"
        )
    return reasons


def _default_reason(kept: retention.Retention, now: datetime) -> str:
    if kept.expired(now):
        return "retention period ended: destroyed at the next purge"
    return f"retention period running until {kept.until:%Y-%m-%d}; erasable on request"


def _message(policy: ArchivePolicy, row: MessageRow) -> dict[str, Any]:
    try:
        original: str | None = policy.original_text(row)
    except InvalidToken:
        original = None  # encrypted with a key this installation no longer has
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(),
        "direction": row.direction,
        "sender": row.sender,
        "text": original,
        "archived_text": row.text,
        "intent": row.intent,
        "kb_entry_id": row.kb_entry_id,
        "kb_entry_version": row.kb_entry_version,
        "handoff_reason": row.handoff_reason,
    }


def access(
    session: Session, settings: Settings, policy: ArchivePolicy, channel: str, user_id: str
) -> dict[str, Any]:
    """Everything the archive holds about one resident, what was destroyed, and why the rest
    is kept."""
    return access_by_key(session, settings, policy, policy.subject_key(channel, user_id), channel)


def access_by_key(
    session: Session, settings: Settings, policy: ArchivePolicy, subject_key: str, channel: str
) -> dict[str, Any]:
    """`access` for a resident already found by their subject key (the admin screens, which
    pass the resident's id only once)."""
    now = utcnow()
    conversations = []
    for conversation in _conversations(session, subject_key):
        kept = retention.retention(session, settings, conversation)
        reasons = kept_because(settings, kept, now, conversation.state)
        messages = session.scalars(
            select(MessageRow)
            .where(MessageRow.conversation_id == conversation.id)
            .order_by(MessageRow.id)
        )
        conversations.append(
            {
                "id": conversation.id,
                "channel": conversation.channel,
                "started_at": conversation.created_at.isoformat(),
                "state": conversation.state,
                "retention": kept.as_json(),
                "retention_rule": retention.rule(settings, kept),
                "legal_hold_reason": conversation.legal_hold_reason,
                "erasable": not reasons,
                "kept_because": reasons or [_default_reason(kept, now)],
                "messages": [_message(policy, row) for row in messages],
            }
        )
    destroyed = session.scalars(
        select(DestructionRow)
        .where(DestructionRow.subject_key == subject_key)
        .order_by(DestructionRow.id)
    )
    return {
        "subject_key": subject_key,
        "channel": channel,
        "generated_at": now.isoformat(),
        "conversations": conversations,
        "destroyed": [
            {
                "conversation_id": report.conversation_id,
                "destroyed_at": report.created_at.isoformat(),
                "reason": report.reason,
                "rule": report.rule,
                "message_count": report.message_count,
                "rasa_events": report.rasa_events,
            }
            for report in destroyed
        ],
    }


@dataclass(frozen=True)
class Erasure:
    subject_key: str
    erased: list[str]
    kept: dict[str, list[str]]
    """Conversation id: why it is kept."""
    rasa_events: int | None = None
    """Events of the erased conversations removed from Rasa's tracker store; None when Rasa
    keeps its trackers in memory."""

    def as_json(self) -> dict[str, Any]:
        return {
            "subject_key": self.subject_key,
            "erased": self.erased,
            "kept": self.kept,
            "rasa_events": self.rasa_events,
        }


def erase(
    session: Session,
    settings: Settings,
    policy: ArchivePolicy,
    channel: str,
    user_id: str,
    actor: str,
    dry_run: bool = False,
) -> Erasure:
    subject_key = policy.subject_key(channel, user_id)
    return erase_by_key(session, settings, subject_key, actor, dry_run)


def erase_by_key(
    session: Session, settings: Settings, subject_key: str, actor: str, dry_run: bool = False
) -> Erasure:
    now = utcnow()
    erased: list[str] = []
    kept: dict[str, list[str]] = {}
    removed = 0
    with rasa_events.opened(settings) as rasa:
        for conversation in _conversations(session, subject_key):
            reasons = kept_because(
                settings,
                retention.retention(session, settings, conversation),
                now,
                conversation.state,
            )
            if reasons:
                kept[conversation.id] = reasons
                continue
            erased.append(conversation.id)
            if dry_run:
                removed += rasa.forget([conversation.id], dry_run=True) if rasa else 0
            else:
                report = retention.destroy(
                    session, conversation, "erasure", ERASURE_RULE, actor, rasa
                )
                removed += report.rasa_events or 0
    return Erasure(subject_key, erased, kept, None if rasa is None else removed)


def channel_of(session: Session, subject_key: str) -> str | None:
    """The channel a subject key belongs to (it is a hash of channel and user id)."""
    for table in (ConversationRow, DestructionRow):
        channel = session.scalar(
            select(table.channel).where(table.subject_key == subject_key).limit(1)
        )
        if channel is not None:
            return channel
    return None
