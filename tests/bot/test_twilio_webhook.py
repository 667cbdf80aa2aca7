"""Twilio's WhatsApp webhook in-process: requests signed exactly as Twilio signs them (its own
RequestValidator), replies through the twilio library to the REST API stand-in. Rasa is
deliberately unreachable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, update

from bot.app import create_app
from bot.settings import Settings
from bot.tables import MessageRow
from knowledge_base.embeddings import Encoder
from tests.bot.conftest import stored
from tests.stand_ins.server import running
from tests.stand_ins.twilio_api import TwilioApi, inbound_form, signed, tampered

SID = "AC" + "1" * 32
TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://loket.dijkstad.example"
WEBHOOK = f"{PUBLIC}/webhooks/twilio"
RESIDENT = "whatsapp:+31612345678"
TEMPLATE = "HX" + "2" * 32


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[TwilioApi]:
    yield from running(TwilioApi(SID, TOKEN))


@pytest.fixture
def client(settings: Settings, encoder: Encoder, twilio_api: TwilioApi) -> Iterator[TestClient]:
    configured = Settings.model_validate(
        settings.model_dump()
        | {
            "rasa_url": "http://127.0.0.1:9",
            "public_url": PUBLIC,
            "twilio_account_sid": SID,
            "twilio_auth_token": TOKEN,
            "twilio_whatsapp_from": "whatsapp:+3197010000000",
            "twilio_api_url": twilio_api.url,
            "twilio_template_sid": TEMPLATE,
        }
    )
    # The test client talks to http://testserver: the signature is checked against PUBLIC,
    # as behind a proxy that rewrites host and scheme.
    with TestClient(create_app(configured, encoder)) as client:
        yield client


def post(client: TestClient, body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post("/webhooks/twilio", content=body, headers=headers)


def test_missing_forged_or_altered_signatures_are_refused(
    client: TestClient, settings: Settings, twilio_api: TwilioApi
) -> None:
    body, headers = signed(TOKEN, WEBHOOK, inbound_form(RESIDENT, "hallo", "SM" + "a" * 32))
    unsigned = {k: v for k, v in headers.items() if k != "X-Twilio-Signature"}
    forged = headers | {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    _, wrong_key = signed("another-token", WEBHOOK, inbound_form(RESIDENT, "hallo", "SM1"))
    for attempt_body, attempt_headers in [
        (body, unsigned),
        (body, forged),
        (tampered(body), headers),
        (body, headers | {"X-Twilio-Signature": wrong_key["X-Twilio-Signature"]}),
    ]:
        assert post(client, attempt_body, attempt_headers).status_code == 403
    assert stored(settings) == []
    assert twilio_api.sent_to(RESIDENT) == []


def test_signed_for_another_url_is_refused(client: TestClient, settings: Settings) -> None:
    body, headers = signed(
        TOKEN, "http://testserver/webhooks/twilio", inbound_form(RESIDENT, "x", "SM2")
    )
    assert post(client, body, headers).status_code == 403
    assert stored(settings) == []


def test_a_voice_message_is_answered_politely_once(
    client: TestClient, settings: Settings, twilio_api: TwilioApi
) -> None:
    resident = "whatsapp:+31611111111"
    form = inbound_form(
        resident, "", "SM" + "b" * 32, NumMedia="1", MediaContentType0="audio/ogg",
        MediaUrl0="https://api.twilio.com/media/ME1",
    )  # fmt: skip
    body, headers = signed(TOKEN, WEBHOOK, form)
    first = post(client, body, headers)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/xml")
    assert post(client, body, headers).status_code == 200  # Twilio retried
    (reply,) = twilio_api.sent_to(resident)
    assert "spraakberichten" in reply["Body"]
    assert reply["From"] == "whatsapp:+3197010000000"
    assert stored(settings) == [("in", "[voice]"), ("out", reply["Body"])]


def test_text_while_rasa_is_down_gets_a_5xx_so_twilio_retries(
    client: TestClient, settings: Settings, twilio_api: TwilioApi
) -> None:
    resident = "whatsapp:+31622222222"
    body, headers = signed(TOKEN, WEBHOOK, inbound_form(resident, "paspoort kwijt", "SM3"))
    assert post(client, body, headers).status_code == 503
    assert stored(settings) == []
    assert twilio_api.sent_to(resident) == []


def test_oversized_body_is_refused_before_parsing(client: TestClient, settings: Settings) -> None:
    form = inbound_form(RESIDENT, "a" * settings.max_body_bytes, "SM4")
    body, headers = signed(TOKEN, WEBHOOK, form)
    assert post(client, body, headers).status_code == 413
    assert stored(settings) == []


def test_out_of_band_messages_respect_the_24_hour_window(
    client: TestClient, settings: Settings, twilio_api: TwilioApi
) -> None:
    resident = "whatsapp:+31633333333"
    form = inbound_form(resident, "", "SM5", NumMedia="1", MediaContentType0="image/jpeg")
    assert post(client, *signed(TOKEN, WEBHOOK, form)).status_code == 200
    services = client.app.state.services  # type: ignore[attr-defined]
    engine = create_engine(settings.sqlalchemy_url)
    with engine.connect() as connection:
        conversation_id = connection.execute(select(MessageRow.conversation_id)).scalar()

    later = client.portal.call(
        services.router.deliver, conversation_id, "Een collega kijkt ernaar."
    )  # type: ignore[union-attr]
    assert later.sender == "agent"
    assert twilio_api.sent_to(resident)[-1]["Body"] == "Een collega kijkt ernaar."

    with engine.begin() as connection:  # the resident's message is now 25 hours old
        connection.execute(
            update(MessageRow)
            .where(MessageRow.direction == "in")
            .values(created_at=datetime.now(UTC) - timedelta(hours=25))
        )
    client.portal.call(services.router.deliver, conversation_id, "Nog een vraag aan u.")  # type: ignore[union-attr]
    template = twilio_api.sent_to(resident)[-1]
    assert template["ContentSid"] == TEMPLATE
    assert "Body" not in template
    with engine.connect() as connection:
        payload = connection.execute(
            select(MessageRow.payload).order_by(MessageRow.id.desc()).limit(1)
        ).scalar()
    engine.dispose()
    assert payload == {"sent_as": "template"}
