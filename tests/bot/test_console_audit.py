"""What agents do in the console is written to the audit log: who viewed, took and answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.settings import Settings
from bot.tables import AuditRow
from knowledge_base.embeddings import Encoder
from tests.bot.test_console_api import add_user, login, resident


@pytest.fixture
def client(settings: Settings, encoder: Encoder) -> Iterator[TestClient]:
    offline = settings.model_copy(update={"rasa_url": "http://127.0.0.1:9"})
    with TestClient(create_app(offline, encoder)) as client:
        yield client


def test_console_actions_are_audited(client: TestClient, engine: Engine) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    _, conversation_id = resident(client)
    base = f"/api/console/conversations/{conversation_id}"
    assert client.post(f"{base}/take", headers=agent).status_code == 200
    assert client.get(base, headers=agent).status_code == 200
    answer = client.post(f"{base}/messages", headers=agent, json={"text": "Goedemiddag"})
    assert answer.status_code == 201
    assert client.post(f"{base}/close", headers=agent).status_code == 200
    assert client.get("/api/console/conversations/unknown", headers=agent).status_code == 404

    with Session(engine) as session:
        entries = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("staff:anna", "console.login", "anna"),
        ("staff:anna", "conversation.take", conversation_id),
        ("staff:anna", "transcript.view", conversation_id),
        ("staff:anna", "conversation.reply", conversation_id),
        ("staff:anna", "conversation.close", conversation_id),
    ]
    assert entries[3].details == {"message_id": answer.json()["message"]["id"]}
