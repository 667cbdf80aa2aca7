"""The agents' queue: which handed-off conversations wait, who holds which, and the moves
between bot, queue, agent and closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot import archive
from bot.errors import Conflict, NotFound
from bot.staff import StaffUser
from bot.tables import ConversationRow, MessageRow, NoteRow, StaffUserRow

OPEN_STATES = ("queued", "agent")
"""Waiting for an agent, or held by one: the resident's messages go to the team, not the bot."""


@dataclass(frozen=True)
class QueueItem:
    conversation_id: str
    channel: str
    state: str
    language: str
    urgency: int
    handoff_reason: str | None
    queued_at: datetime | None
    agent: str | None
    last_message: str
    last_message_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        waiting = (
            int((datetime.now(UTC) - self.queued_at).total_seconds()) if self.queued_at else None
        )
        return {
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "state": self.state,
            "language": self.language,
            "urgency": self.urgency,
            "handoff_reason": self.handoff_reason,
            "queued_at": self.queued_at.isoformat() if self.queued_at else None,
            "waiting_seconds": waiting,
            "agent": self.agent,
            "last_message": self.last_message,
            "last_message_at": self.last_message_at.isoformat() if self.last_message_at else None,
        }


def queue(session: Session) -> list[QueueItem]:
    """Conversations waiting for or held by an agent: most urgent first, then longest waiting;
    each with the resident's last message."""
    later = aliased(MessageRow)
    last_id = (
        select(func.max(later.id))
        .where(later.conversation_id == ConversationRow.id, later.direction == "in")
        .correlate(ConversationRow)
        .scalar_subquery()
    )
    rows = session.execute(
        select(ConversationRow, StaffUserRow.display_name, MessageRow.text, MessageRow.created_at)
        .outerjoin(StaffUserRow, StaffUserRow.id == ConversationRow.agent_id)
        .outerjoin(MessageRow, MessageRow.id == last_id)
        .where(ConversationRow.state.in_(OPEN_STATES))
        .order_by(ConversationRow.urgency.desc(), ConversationRow.queued_at)
    ).all()
    return [
        QueueItem(
            conversation_id=c.id,
            channel=c.channel,
            state=c.state,
            language=c.language,
            urgency=c.urgency,
            handoff_reason=c.handoff_reason,
            queued_at=c.queued_at,
            agent=agent,
            last_message=text or "",
            last_message_at=at,
        )
        for c, agent, text, at in rows
    ]


def waiting(session: Session) -> int:
    """How many conversations wait for an agent."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ConversationRow)
            .where(ConversationRow.state == "queued")
        )
        or 0
    )


def _conversation(session: Session, conversation_id: str) -> ConversationRow:
    conversation = session.get(ConversationRow, conversation_id, with_for_update=True)
    if conversation is None:
        raise NotFound("Unknown conversation")
    return conversation


def take(session: Session, conversation_id: str, agent: StaffUser) -> str:
    """The agent takes the conversation over: from now on the resident talks to them."""
    conversation = _conversation(session, conversation_id)
    if conversation.state == "closed":
        raise Conflict("The conversation is closed")
    if conversation.state == "agent" and conversation.agent_id != agent.id:
        raise Conflict("Another colleague holds this conversation")
    if conversation.queued_at is None:
        conversation.queued_at = datetime.now(UTC)
    previous = conversation.state
    conversation.state = "agent"
    conversation.agent_id = agent.id
    if previous != "agent":
        archive.handoff_event(session, conversation, "taken", previous, agent.id)
    return conversation.state


def holder(session: Session, conversation_id: str, agent: StaffUser) -> ConversationRow:
    """The conversation, if this agent holds it: only the holder writes to the resident."""
    conversation = _conversation(session, conversation_id)
    if conversation.state != "agent" or conversation.agent_id != agent.id:
        raise Conflict("Take the conversation before you reply")
    return conversation


def hand_back(session: Session, conversation_id: str, agent: StaffUser) -> str:
    """The bot answers the resident again."""
    conversation = holder(session, conversation_id, agent)
    conversation.state = "bot"
    conversation.agent_id = None
    conversation.queued_at = None
    conversation.urgency = 0
    archive.handoff_event(session, conversation, "handed_back", "agent", agent.id)
    return conversation.state


def close(session: Session, conversation_id: str, agent: StaffUser) -> str:
    """Closed for good: the resident's next message starts a new conversation."""
    conversation = _conversation(session, conversation_id)
    if conversation.state == "agent" and conversation.agent_id != agent.id:
        raise Conflict("Another colleague holds this conversation")
    previous = conversation.state
    conversation.state = "closed"
    if previous != "closed":
        archive.handoff_event(session, conversation, "closed", previous, agent.id)
    return conversation.state


@dataclass(frozen=True)
class Note:
    id: int
    agent: str
    text: str
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agent": self.agent,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
        }


def add_note(session: Session, conversation_id: str, agent: StaffUser, text: str) -> Note:
    if session.get(ConversationRow, conversation_id) is None:
        raise NotFound("Unknown conversation")
    row = NoteRow(conversation_id=conversation_id, agent_id=agent.id, text=text)
    session.add(row)
    session.flush()
    return Note(row.id, agent.display_name, row.text, row.created_at)


def notes(session: Session, conversation_id: str) -> list[Note]:
    rows = session.execute(
        select(NoteRow, StaffUserRow.display_name)
        .join(StaffUserRow, StaffUserRow.id == NoteRow.agent_id)
        .where(NoteRow.conversation_id == conversation_id)
        .order_by(NoteRow.id)
    ).all()
    return [Note(n.id, name, n.text, n.created_at) for n, name in rows]
