from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from bot import archive  # noqa: F401  (seals what the helpers write)
from bot.settings import Settings
from bot.tables import ConversationRow, MessageRow


def stored(settings: Settings) -> list[tuple[str, str]]:
    """(direction, text) of every archived message, oldest first."""
    engine = create_engine(settings.sqlalchemy_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(MessageRow.direction, MessageRow.text).order_by(MessageRow.id)
        ).all()
    engine.dispose()
    return [(direction, text) for direction, text in rows]


def add_conversation(
    engine: Engine,
    *messages: tuple[str, str],
    channel: str = "telegram",
    user_id: str = "4242",
    at: datetime | None = None,
    handoff_reason: str | None = None,
) -> str:
    """A conversation with (sender, text) messages a minute apart from `at`; its id."""
    start = at or datetime.now(UTC)
    with Session(engine) as session, session.begin():
        conversation = ConversationRow(
            id=str(uuid.uuid4()),
            channel=channel,
            channel_key=user_id,
            created_at=start,
            handoff_reason=handoff_reason,
            state="closed",
        )
        session.add(conversation)
        session.flush()
        for n, (sender, body) in enumerate(messages):
            session.add(
                MessageRow(
                    conversation_id=conversation.id,
                    channel=channel,
                    direction="in" if sender == "resident" else "out",
                    sender=sender,
                    text=body,
                    created_at=start + timedelta(minutes=n),
                )
            )
        return conversation.id


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
