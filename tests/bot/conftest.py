"""The app in-process for the API tests: with Rasa unreachable (`client`), or with the loopback
stand-in that repeats the resident's words (`rasa`); staff accounts and residents' sessions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from bot import (
    archive,  # noqa: F401  (seals what the helpers write)
    staff,
)
from bot.app import create_app
from bot.settings import Settings
from bot.tables import ConversationRow, MessageRow
from knowledge_base.embeddings import Encoder
from tests.stand_ins.rasa_rest import RasaRest
from tests.stand_ins.server import running

PASSWORD = "correct horse battery"


@pytest.fixture
def client(settings: Settings, encoder: Encoder) -> Iterator[TestClient]:
    """The app with Rasa deliberately unreachable: what needs Rasa answers 503."""
    offline = settings.model_copy(update={"rasa_url": "http://127.0.0.1:9"})
    with TestClient(create_app(offline, encoder)) as client:
        yield client


@pytest.fixture(scope="module")
def rasa() -> Iterator[RasaRest]:
    yield from running(RasaRest())


def add_user(engine: Engine, username: str, roles: set[str], totp: str | None = None) -> None:
    with Session(engine) as session, session.begin():
        staff.create_user(session, username, PASSWORD, roles, username.title(), totp)


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/console/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def resident(client: TestClient) -> tuple[dict[str, str], str]:
    body = client.post("/api/webchat/sessions", json={"language": "nl"}).json()
    return {"Authorization": f"Bearer {body['token']}"}, body["conversation_id"]


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
