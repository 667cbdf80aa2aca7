"""The web chat through the router into the archive, with the default personal-data policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot import sealing
from bot.app import create_app
from bot.settings import Settings
from bot.tables import ConversationRow, MessageRow
from knowledge_base.embeddings import Encoder
from tests.stand_ins.rasa_rest import RasaRest


@pytest.fixture
def client(settings: Settings, encoder: Encoder, rasa: RasaRest) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"rasa_url": rasa.url})
    with TestClient(create_app(configured, encoder)) as client:
        yield client


def test_resident_messages_are_archived_masked_encrypted_and_chained(
    client: TestClient, settings: Settings, rasa: RasaRest
) -> None:
    session_body = client.post("/api/webchat/sessions").json()
    headers = {"Authorization": f"Bearer {session_body['token']}"}
    for n, text in enumerate(["Mijn BSN is 111222333", "Bel 06-12345678"]):
        response = client.post(
            "/api/webchat/messages",
            json={"text": text, "client_message_id": f"m{n}"},
            headers=headers,
        )
        assert response.status_code == 200
    assert rasa.received[-2:] == ["Mijn BSN is 111222333", "Bel 06-12345678"]  # Rasa sees all
    assert response.json()["message"]["text"] == "Bel [TELEFOON]"

    engine = create_engine(settings.sqlalchemy_url)
    policy = sealing.ArchivePolicy.from_settings(settings)
    with Session(engine) as session:
        rows = session.scalars(select(MessageRow).order_by(MessageRow.id)).all()
        conversation = session.get(ConversationRow, session_body["conversation_id"])
        report = sealing.verify(session)
    engine.dispose()
    assert [(r.sender, r.text) for r in rows] == [
        ("resident", "Mijn BSN is [BSN]"),
        ("bot", "U schreef: Mijn BSN is 111222333"),
        ("resident", "Bel [TELEFOON]"),
        ("bot", "U schreef: Bel 06-12345678"),
    ]
    assert policy.original_text(rows[0]) == "Mijn BSN is 111222333"
    assert conversation is not None
    assert conversation.subject_key == policy.subject_key("webchat", conversation.id)
    assert {r.subject_key for r in rows} == {conversation.subject_key}
    assert (report.messages, report.broken) == (4, [])
