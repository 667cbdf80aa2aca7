"""The web chat API in-process, with a real database. Every bad request is refused before Rasa
is asked (Rasa is deliberately unreachable here), and nothing is stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from bot.app import create_app
from bot.settings import Settings
from bot.tables import ConversationRow, MessageRow
from knowledge_base.embeddings import Encoder


@pytest.fixture
def token(client: TestClient) -> str:
    response = client.post("/api/webchat/sessions", json={"language": "nl"})
    assert response.status_code == 201
    body = response.json()
    assert body["conversation_id"]
    return str(body["token"])


def stored_messages(settings: Settings) -> int:
    engine = create_engine(settings.sqlalchemy_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(MessageRow))
    engine.dispose()
    return count or 0


def post(client: TestClient, token: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/webchat/messages", headers={"Authorization": f"Bearer {token}"}, **kwargs
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "invalid_message"),
        ({"text": "   \u200b  "}, 422, "invalid_message"),
        ({"text": "a" * 10_000}, 422, "invalid_message"),
        ({"text": 42}, 422, "invalid_message"),
        ({}, 422, "invalid_request"),
        ({"text": "hoi", "client_message_id": "x" * 101}, 422, "invalid_message"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(
    client: TestClient,
    token: str,
    settings: Settings,
    body: dict[str, object],
    status: int,
    code: str,
) -> None:
    response = post(client, token, json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert stored_messages(settings) == 0


def test_invalid_json_is_a_400(client: TestClient, token: str, settings: Settings) -> None:
    response = client.post(
        "/api/webchat/messages",
        content=b'{"text": "hoi"',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert stored_messages(settings) == 0


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-real-token", "Basic abc", "Bearer"])
def test_unknown_session_token_is_a_401(
    client: TestClient, settings: Settings, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post("/api/webchat/messages", json={"text": "hoi"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert client.get("/api/webchat/messages", headers=headers).status_code == 401
    assert client.get("/api/webchat/events", params={"token": "nope"}).status_code == 401
    assert stored_messages(settings) == 0


def test_rasa_down_means_503_and_nothing_stored(
    client: TestClient, token: str, settings: Settings
) -> None:
    response = post(client, token, json={"text": "hoe vraag ik een paspoort aan?"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "rasa_unavailable"
    assert stored_messages(settings) == 0


def test_session_starts_an_empty_conversation(
    client: TestClient, token: str, settings: Settings
) -> None:
    response = client.get("/api/webchat/messages", headers={"Authorization": f"Bearer {token}"})
    assert response.json() == {"messages": []}
    engine = create_engine(settings.sqlalchemy_url)
    with engine.connect() as connection:
        (channel,) = connection.scalars(select(ConversationRow.channel)).all()
    engine.dispose()
    assert channel == "webchat"


def test_chat_page_and_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert client.get("/static/widget.js").status_code == 200


def test_too_many_requests_from_one_address(settings: Settings, encoder: Encoder) -> None:
    strict = settings.model_copy(update={"rate_limit_per_ip": 2, "rasa_url": "http://127.0.0.1:9"})
    with TestClient(create_app(strict, encoder)) as client:
        assert client.post("/api/webchat/sessions").status_code == 201
        assert client.post("/api/webchat/sessions").status_code == 201
        refused = client.post("/api/webchat/sessions")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0


def test_an_oversized_body_is_refused_before_parsing(
    client: TestClient, token: str, settings: Settings
) -> None:
    huge = b'{"text": "' + b"a" * settings.max_body_bytes + b'"}'
    response = client.post(
        "/api/webchat/messages",
        content=huge,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"

    def chunks():  # no Content-Length: counted as it arrives
        yield b'{"text": "'
        for _ in range(settings.max_body_bytes // 1000 + 1):
            yield b"a" * 1000
        yield b'"}'

    response = client.post(
        "/api/webchat/messages",
        content=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert stored_messages(settings) == 0


def test_deeply_nested_json_is_refused(client: TestClient, token: str, settings: Settings) -> None:
    body = b'{"text": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    response = client.post(
        "/api/webchat/messages",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert stored_messages(settings) == 0
