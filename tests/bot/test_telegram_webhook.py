"""Telegram's webhook in-process, with a real database and the Bot API stand-in. Rasa is
deliberately unreachable: whatever needs Rasa is refused with 503 so Telegram retries."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from channels.telegram import SECRET_HEADER
from knowledge_base.embeddings import Encoder
from tests.bot.conftest import stored
from tests.stand_ins.server import running
from tests.stand_ins.telegram_bot_api import TelegramBotApi, text_update

TOKEN = "123456:TEST-token"
SECRET = "webhook-secret-for-tests"


@pytest.fixture(scope="module")
def bot_api() -> Iterator[TelegramBotApi]:
    yield from running(TelegramBotApi(TOKEN))


def configured(settings: Settings, bot_api: TelegramBotApi, **extra: object) -> Settings:
    return Settings.model_validate(
        settings.model_dump()
        | {
            "rasa_url": "http://127.0.0.1:9",
            "telegram_bot_token": TOKEN,
            "telegram_webhook_secret": SECRET,
            "telegram_api_url": bot_api.api_url,
        }
        | extra
    )


@pytest.fixture
def client(settings: Settings, encoder: Encoder, bot_api: TelegramBotApi) -> Iterator[TestClient]:
    with TestClient(create_app(configured(settings, bot_api), encoder)) as client:
        yield client


def post(client: TestClient, update: Any, secret: str | None = SECRET) -> Any:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return client.post("/webhooks/telegram", json=update, headers=headers)


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1]])
def test_forged_updates_are_refused_and_leave_no_trace(
    client: TestClient, settings: Settings, bot_api: TelegramBotApi, secret: str | None
) -> None:
    response = post(client, text_update(9001, 777, "hallo"), secret)
    assert response.status_code == 403
    assert stored(settings) == []
    assert bot_api.sent(777) == []


def test_oversized_and_malformed_bodies(client: TestClient, settings: Settings) -> None:
    huge = text_update(9002, 778, "a" * (settings.max_body_bytes + 1))
    assert post(client, huge).status_code == 413
    response = client.post(
        "/webhooks/telegram",
        content=b'{"update_id": 1, "message": ',
        headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert post(client, {"nothing": "here"}).status_code == 422
    assert stored(settings) == []


def photo_update(update_id: int, chat_id: int) -> dict[str, Any]:
    update = copy.deepcopy(text_update(update_id, chat_id, "x"))
    del update["message"]["text"]
    update["message"]["photo"] = [
        {"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}
    ]
    return update


def test_a_photo_gets_a_polite_answer_without_rasa_once(
    client: TestClient, settings: Settings, bot_api: TelegramBotApi
) -> None:
    update = photo_update(9003, 779)
    assert post(client, update).status_code == 200
    assert post(client, update).status_code == 200  # Telegram retried: no second answer
    (reply,) = bot_api.sent(779)
    assert "foto" in reply["text"]
    assert stored(settings) == [("in", "[photo]"), ("out", reply["text"])]


def test_text_while_rasa_is_down_is_refused_so_telegram_retries(
    client: TestClient, settings: Settings, bot_api: TelegramBotApi
) -> None:
    response = post(client, text_update(9004, 780, "hoe vraag ik een paspoort aan"))
    assert response.status_code == 503
    assert stored(settings) == []
    assert bot_api.sent(780) == []


def test_telegram_off_when_not_configured(settings: Settings, encoder: Encoder) -> None:
    with TestClient(create_app(settings, encoder)) as client:
        response = post(client, text_update(9005, 781, "hallo"))
    assert response.status_code == 404


def test_a_resident_sending_too_fast_is_told_to_slow_down(
    settings: Settings, encoder: Encoder, bot_api: TelegramBotApi
) -> None:
    app = create_app(configured(settings, bot_api, rate_limit_per_sender=1), encoder)
    with TestClient(app) as client:
        assert post(client, photo_update(9101, 782)).status_code == 200
        assert post(client, photo_update(9102, 782)).status_code == 200
    first, second = bot_api.sent(782)
    assert "foto" in first["text"]
    assert "veel berichten" in second["text"]
    assert [direction for direction, _ in stored(settings)] == ["in", "out", "in", "out"]


@pytest.mark.parametrize("depth", [1_000, 30_000])
def test_deeply_nested_json_is_a_clear_400(
    client: TestClient, settings: Settings, depth: int
) -> None:
    body = b"[" * depth + b"]" * depth
    response = client.post(
        "/webhooks/telegram",
        content=body,
        headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert stored(settings) == []
