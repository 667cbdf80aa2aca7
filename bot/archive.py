"""The archive of conversations: every inbound and outbound message, as it was at the time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import sealing  # noqa: F401  (imported for its listeners: it seals every flush)
from bot.tables import ConversationRow, MessageRow

EVENT: Final = "sys"
"""The direction of a record that is no message but a change in who handles the conversation
(queued, taken by an agent, handed back, closed, reopened): chained with the messages, so
`loket archive verify` covers it, but never shown or sent to the resident."""


def new_conversation(
    session: Session, channel: str, channel_key: str | None = None, language: str = "nl"
) -> ConversationRow:
    """A new conversation; without a `channel_key` the conversation's id is its key (web chat)."""
    conversation_id = str(uuid.uuid4())
    conversation = ConversationRow(
        id=conversation_id,
        channel=channel,
        channel_key=channel_key or conversation_id,
        language=language,
    )
    session.add(conversation)
    session.flush()
    return conversation


def open_conversation(session: Session, channel: str, channel_key: str) -> ConversationRow | None:
    """The resident's current conversation on a channel, if there is one that is not closed."""
    return session.scalars(
        select(ConversationRow)
        .where(
            ConversationRow.channel == channel,
            ConversationRow.channel_key == channel_key,
            ConversationRow.state != "closed",
        )
        .order_by(ConversationRow.created_at.desc())
        .limit(1)
    ).first()


def find_by_external_id(
    session: Session, conversation_id: str, external_id: str
) -> MessageRow | None:
    return session.scalar(
        select(MessageRow).where(
            MessageRow.conversation_id == conversation_id, MessageRow.external_id == external_id
        )
    )


def last_inbound_at(session: Session, conversation_id: str) -> datetime | None:
    return session.scalar(
        select(func.max(MessageRow.created_at)).where(
            MessageRow.conversation_id == conversation_id, MessageRow.direction == "in"
        )
    )


def latest_inbound_texts(session: Session, conversation_id: str, limit: int) -> list[str]:
    """The resident's last `limit` messages, newest first."""
    return list(
        session.scalars(
            select(MessageRow.text)
            .where(MessageRow.conversation_id == conversation_id, MessageRow.direction == "in")
            .order_by(MessageRow.id.desc())
            .limit(limit)
        )
    )


def messages(
    session: Session, conversation_id: str, after_id: int = 0, events: bool = False
) -> list[MessageRow]:
    """The conversation's messages in order; with `events`, its handoff records too."""
    query = select(MessageRow).where(
        MessageRow.conversation_id == conversation_id, MessageRow.id > after_id
    )
    if not events:
        query = query.where(MessageRow.direction != EVENT)
    return list(session.scalars(query.order_by(MessageRow.id)))


def handoff_event(
    session: Session,
    conversation: ConversationRow,
    event: str,
    previous: str,
    agent_id: int | None = None,
) -> MessageRow:
    """Archive a change of the conversation's state, made in the same transaction."""
    row = MessageRow(
        conversation_id=conversation.id,
        channel=conversation.channel,
        direction=EVENT,
        sender="system",
        text=f"handoff:{event}",
        handoff_reason=conversation.handoff_reason if event == "queued" else None,
        agent_id=agent_id,
        payload={
            "handoff": {
                "event": event,
                "from": previous,
                "to": conversation.state,
                "urgency": conversation.urgency,
            }
        },
    )
    session.add(row)
    return row


def last_choices(session: Session, conversation_id: str) -> list[dict[str, str]]:
    """The quick-reply choices of the last message sent to the resident, if it had any."""
    payload = session.scalar(
        select(MessageRow.payload)
        .where(MessageRow.conversation_id == conversation_id, MessageRow.direction == "out")
        .order_by(MessageRow.id.desc())
        .limit(1)
    )
    return list((payload or {}).get("choices", []))


def notices_sent(session: Session, conversation_id: str) -> frozenset[int]:
    """The ids of the crisis notices sent in the conversation."""
    payloads = session.scalars(
        select(MessageRow.payload).where(
            MessageRow.conversation_id == conversation_id, MessageRow.sender == "notice"
        )
    )
    return frozenset(int(p["notice"]) for p in payloads if p and "notice" in p)


def replies_to(session: Session, inbound: MessageRow) -> list[MessageRow]:
    """The outbound messages that answered one inbound message."""
    following = messages(session, inbound.conversation_id, after_id=inbound.id)
    replies = []
    for message in following:
        if message.direction == "in":
            break
        replies.append(message)
    return replies


@dataclass(frozen=True)
class MessageView:
    """A message as the API and the live stream show it."""

    id: int
    direction: str
    sender: str
    text: str
    language: str | None
    choices: list[dict[str, str]]
    created_at: datetime

    @classmethod
    def of(cls, row: MessageRow) -> MessageView:
        return cls(
            id=row.id,
            direction=row.direction,
            sender=row.sender,
            text=row.text,
            language=row.language,
            choices=list((row.payload or {}).get("choices", [])),
            created_at=row.created_at,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "direction": self.direction,
            "sender": self.sender,
            "text": self.text,
            "language": self.language,
            "choices": self.choices,
            "created_at": self.created_at.isoformat(),
        }
