"""A notice with a push goes once to residents who wrote lately, on Telegram and WhatsApp (through
the platforms' loopback stand-ins), keeping WhatsApp's 24-hour rule."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.settings import Settings
from bot.tables import AuditRow, MessageRow
from knowledge_base.embeddings import Encoder
from tests.bot.conftest import add_conversation, add_user, login
from tests.stand_ins.server import running
from tests.stand_ins.telegram_bot_api import TelegramBotApi
from tests.stand_ins.twilio_api import TwilioApi

TELEGRAM_TOKEN = "123456:PUSH-token"
TWILIO_SID = "AC" + "ab12" * 8
TWILIO_TOKEN = "push-twilio-token"
RECENT, STALE = "whatsapp:+31611111111", "whatsapp:+31622222222"


@pytest.fixture(scope="module")
def telegram() -> Iterator[TelegramBotApi]:
    yield from running(TelegramBotApi(TELEGRAM_TOKEN))


@pytest.fixture(scope="module")
def twilio() -> Iterator[TwilioApi]:
    yield from running(TwilioApi(TWILIO_SID, TWILIO_TOKEN))


@pytest.fixture
def client(
    settings: Settings, encoder: Encoder, telegram: TelegramBotApi, twilio: TwilioApi
) -> Iterator[TestClient]:
    configured = Settings.model_validate(
        settings.model_dump()
        | {
            "rasa_url": "http://127.0.0.1:9",
            "telegram_bot_token": TELEGRAM_TOKEN,
            "telegram_webhook_secret": "push-secret",
            "telegram_api_url": telegram.api_url,
            "twilio_account_sid": TWILIO_SID,
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_whatsapp_from": "whatsapp:+3197010000000",
            "twilio_api_url": twilio.url,
            "public_url": "https://loket.example",
        }
    )
    with TestClient(create_app(configured, encoder)) as client:
        yield client


def test_a_pushed_notice_reaches_recent_residents_once(
    client: TestClient, engine: Engine, telegram: TelegramBotApi, twilio: TwilioApi
) -> None:
    now = datetime.now(UTC)
    add_conversation(
        engine, ("resident", "hoi"), channel="telegram", user_id="4242", at=now - timedelta(hours=3)
    )
    add_conversation(
        engine,
        ("resident", "hoi"),
        channel="telegram",
        user_id="5353",
        at=now - timedelta(hours=60),
    )
    add_conversation(
        engine, ("resident", "hoi"), channel="whatsapp", user_id=RECENT, at=now - timedelta(hours=2)
    )
    add_conversation(
        engine, ("resident", "hoi"), channel="whatsapp", user_id=STALE, at=now - timedelta(hours=30)
    )
    add_user(engine, "bob", {"approver"})
    bob = login(client, "bob")
    notice = {
        "title": {"nl": "Drinkwater: kook uw water"},
        "body": {"nl": "Kook water 3 minuten voor u het drinkt."},
        "ends_at": (now + timedelta(hours=12)).isoformat(),
        "push_hours": 48,
    }
    created = client.post("/api/editor/notices", headers=bob, json=notice).json()
    urgent = f"/api/editor/notices/{created['id']}/urgent"
    assert client.post(urgent, headers=bob, json={"confirm": True}).status_code == 200

    (telegram_message,) = telegram.wait_for_messages(4242, 1)
    assert "Drinkwater: kook uw water" in telegram_message["text"]
    (whatsapp_message,) = twilio.wait_for(RECENT, 1)
    assert "Kook water 3 minuten" in whatsapp_message["Body"]
    assert telegram.sent(5353) == []  # wrote 60 hours ago: outside the 48 asked for
    assert twilio.sent_to(STALE) == []  # WhatsApp's 24 hours have passed

    def audited() -> list[dict[str, object]]:
        with Session(engine) as session:
            rows = session.scalars(select(AuditRow.details).where(AuditRow.action == "notice.push"))
            return [dict(r or {}) for r in rows]

    deadline = time.monotonic() + 10
    while not audited() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert audited() == [{"residents": 2, "sent": 2, "hours": 48}]
    with Session(engine) as session:
        pushed = session.scalars(
            select(MessageRow.payload).where(MessageRow.sender == "notice")
        ).all()
    assert [p["notice"] for p in pushed if p] == [created["id"]] * 2
