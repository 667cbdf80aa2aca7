"""Operations endpoints and production start-up checks, in-process with a real database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.tables import ConversationRow


def test_readyz_says_what_is_missing(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "rasa": False},
    }
    assert client.get("/healthz").status_code == 200


def test_metrics_count_messages_and_errors(client: TestClient) -> None:
    token = client.post("/api/webchat/sessions", json={}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/webchat/messages", headers=headers, json={"text": "hallo"})  # Rasa down
    body = client.get("/metrics").text
    assert 'loket_errors_total{code="rasa_unavailable"}' in body
    assert "loket_queue_length 0.0" in body


def test_production_refuses_sqlite(settings: Settings) -> None:
    production = settings.model_dump() | {
        "mode": "production",
        "archive_subject_secret": "s" * 32,
        "archive_key": "k" * 44,
    }
    with pytest.raises(ValueError, match="PostgreSQL"):
        Settings.model_validate(production)
    Settings.model_validate(production | {"database_url": "postgresql+psycopg://db/loket"})


def test_metrics_count_archived_messages(client: TestClient) -> None:
    def counted() -> float:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith('loket_messages_total{channel="webchat",direction="in"}'):
                return float(line.split()[-1])
        return 0.0

    before = counted()
    services = client.app.state.services  # type: ignore[attr-defined]
    body = client.post("/api/webchat/sessions", json={}).json()
    with Session(services.engine) as session, session.begin():
        conversation = session.get(ConversationRow, body["conversation_id"])
        assert conversation is not None
        conversation.state = "queued"  # so the message is kept for the team, without Rasa
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.post("/api/webchat/messages", headers=headers, json={"text": "hoi"}).is_success
    assert counted() == before + 1
