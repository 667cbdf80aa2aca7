"""Retention: how long a conversation is kept, legal holds, and destroying what has expired.

A conversation's category decides its retention period (settings, from the municipality's
selectielijst): `bot` when the bot answered alone, `agent` once it was handed to a person. The
period runs from the conversation's last message. Destroying a conversation removes its messages,
web chat sessions and the conversation itself, and its events in Rasa's tracker store (see
`bot.rasa_events`), and writes a destruction report that stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import rasa_events
from bot.rasa_events import RasaEvents
from bot.settings import Settings
from bot.tables import ConversationRow, DestructionRow, MessageRow, NoteRow, WebchatSessionRow
from knowledge_base.tables import utcnow


@dataclass(frozen=True)
class Retention:
    conversation_id: str
    category: str
    days: int
    last_message_at: datetime
    until: datetime
    legal_hold: bool

    def expired(self, now: datetime) -> bool:
        return self.until <= now

    def as_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "days": self.days,
            "last_message_at": self.last_message_at.isoformat(),
            "until": self.until.isoformat(),
            "legal_hold": self.legal_hold,
        }


def category(session: Session, conversation: ConversationRow) -> str:
    """`agent` once a person was involved (queued, taken or written by an agent), else `bot`."""
    if conversation.handoff_reason or conversation.agent_id or conversation.queued_at:
        return "agent"
    by_agent = session.scalar(
        select(func.count())
        .select_from(MessageRow)
        .where(MessageRow.conversation_id == conversation.id, MessageRow.sender == "agent")
    )
    return "agent" if by_agent else "bot"


def retention(session: Session, settings: Settings, conversation: ConversationRow) -> Retention:
    kind = category(session, conversation)
    days = settings.retention_days[kind]
    last = session.scalar(
        select(func.max(MessageRow.created_at)).where(MessageRow.conversation_id == conversation.id)
    )
    last_message_at = last or conversation.created_at
    return Retention(
        conversation.id,
        kind,
        days,
        last_message_at,
        last_message_at + timedelta(days=days),
        conversation.legal_hold,
    )


def rule(settings: Settings, kept: Retention) -> str:
    return (
        f"{settings.archive_retention_rule}: category {kept.category}, "
        f"{kept.days} days after the last message"
    )


def destroy(
    session: Session,
    conversation: ConversationRow,
    reason: str,
    rule_text: str,
    actor: str,
    rasa: RasaEvents | None = None,
) -> DestructionRow:
    """Remove the conversation, all its messages and Rasa's events of it (None: Rasa keeps its
    trackers in memory); the report says what, when and why."""
    head = session.execute(
        select(MessageRow.hash, MessageRow.created_at)
        .where(MessageRow.conversation_id == conversation.id)
        .order_by(MessageRow.id.desc())
        .limit(1)
    ).first()
    count = session.scalar(
        select(func.count())
        .select_from(MessageRow)
        .where(MessageRow.conversation_id == conversation.id)
    )
    report = DestructionRow(
        reason=reason,
        rule=rule_text,
        actor=actor,
        conversation_id=conversation.id,
        subject_key=conversation.subject_key,
        channel=conversation.channel,
        category=category(session, conversation),
        message_count=count or 0,
        started_at=conversation.created_at,
        last_message_at=head.created_at if head else None,
        chain_head=head.hash if head else None,
        rasa_events=None if rasa is None else rasa.forget([conversation.id]),
    )
    session.add(report)
    # Through the table: the ORM refuses to delete archived messages (see bot.sealing).
    messages = MessageRow.metadata.tables[MessageRow.__tablename__]
    session.execute(delete(messages).where(messages.c.conversation_id == conversation.id))
    notes = NoteRow.metadata.tables[NoteRow.__tablename__]
    session.execute(delete(notes).where(notes.c.conversation_id == conversation.id))
    session.execute(
        delete(WebchatSessionRow).where(WebchatSessionRow.conversation_id == conversation.id)
    )
    session.delete(conversation)
    session.flush()
    return report


@dataclass(frozen=True)
class PurgeResult:
    destroyed: list[Retention]
    held: list[Retention]
    """Expired, but kept under a legal hold."""
    rasa_events: int | None = None
    """Events removed from Rasa's tracker store: of the destroyed conversations, and of any
    conversation not on hold once older than `rasa_tracker_retention_days`. None when Rasa
    keeps its trackers in memory."""

    def as_json(self) -> dict[str, Any]:
        return {
            "destroyed": [r.conversation_id for r in self.destroyed],
            "held": [r.conversation_id for r in self.held],
            "rasa_events": self.rasa_events,
        }


def purge(
    session: Session,
    settings: Settings,
    actor: str,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PurgeResult:
    """Destroy every conversation whose retention period has ended and that is not on hold,
    and Rasa's events older than its own, shorter retention period."""
    now = now or utcnow()
    destroyed: list[Retention] = []
    held: list[Retention] = []
    removed = 0
    with rasa_events.opened(settings) as rasa:
        conversations = session.scalars(
            select(ConversationRow).order_by(ConversationRow.created_at)
        )
        for conversation in conversations.all():
            kept = retention(session, settings, conversation)
            if not kept.expired(now):
                continue
            if kept.legal_hold:
                held.append(kept)
                continue
            destroyed.append(kept)
            if dry_run and rasa is not None:
                removed += rasa.forget([conversation.id], dry_run=True)
            elif not dry_run:
                report = destroy(
                    session, conversation, "retention", rule(settings, kept), actor, rasa
                )
                removed += report.rasa_events or 0
        if rasa is None:
            return PurgeResult(destroyed, held)
        on_hold = session.scalars(
            select(ConversationRow.id).where(ConversationRow.legal_hold.is_(True))
        ).all()
        cutoff = now - timedelta(days=settings.rasa_tracker_retention_days)
        # In a dry run the destroyed conversations' events are still there to be counted twice.
        keep = set(on_hold) | ({r.conversation_id for r in destroyed} if dry_run else set())
        removed += rasa.expire(cutoff, keep, dry_run)
    return PurgeResult(destroyed, held, removed)
