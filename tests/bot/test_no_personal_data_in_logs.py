"""Messages full of personal data through every channel and the agents' console, with every
logger at its most talkative (SQLAlchemy logs each statement's parameters): none of it reaches the
application's log."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from uvicorn.logging import AccessFormatter

from bot import personal_data, staff
from bot.app import create_app
from bot.logs import configure_logging
from bot.settings import Settings
from bot.tables import ConversationRow
from channels.telegram import SECRET_HEADER
from knowledge_base.embeddings import Encoder
from tests.bot.conftest import stored
from tests.stand_ins.rasa_rest import RasaRest
from tests.stand_ins.server import running
from tests.stand_ins.telegram_bot_api import TelegramBotApi, text_update
from tests.stand_ins.twilio_api import TwilioApi, inbound_form, signed

PERSONAL = {
    "bsn": "111222333",
    "bsn_dotted": "1234.56.782",
    "iban": "NL91ABNA0417164300",
    "iban_spaced": "DE89 3704 0044 0532 0130 00",
    "phone": "06-12345678",
    "phone_international": "+31 20 123 4567",
    "email": "jan.de.vries@example.nl",
    "address": "2511 CV 10",
    "whatsapp_number": "+31612345678",
}
MESSAGES = [
    f"Mijn BSN is {PERSONAL['bsn']} en mijn IBAN {PERSONAL['iban']}",
    f"Bel me op {PERSONAL['phone']} of {PERSONAL['phone_international']}",
    f"Ik woon op {PERSONAL['address']}, mail {PERSONAL['email']}",
    f"BSN {PERSONAL['bsn_dotted']}, rekening {PERSONAL['iban_spaced']}",
]
TELEGRAM_TOKEN = "123456:TEST-token"
TELEGRAM_SECRET = "webhook-secret-for-tests"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://loket.dijkstad.example"
AGENT_TEXT = (
    f"Genoteerd: BSN {PERSONAL['bsn']}, IBAN {PERSONAL['iban']}, tel. {PERSONAL['phone']}, "
    f"{PERSONAL['email']}, {PERSONAL['address']}"
)


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """The application's log as `loket` configures it at start-up, every logger at DEBUG."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure_logging(stream)
    root.setLevel(logging.DEBUG)
    for name in ("httpx", "sqlalchemy.engine", "uvicorn", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield stream
    for handler in [h for h in root.handlers if h.get_name() == "loket"]:
        root.removeHandler(handler)
    root.setLevel(level)
    for name in ("httpx", "sqlalchemy.engine", "uvicorn", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.fixture(scope="module")
def bot_api() -> Iterator[TelegramBotApi]:
    yield from running(TelegramBotApi(TELEGRAM_TOKEN))


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[TwilioApi]:
    yield from running(TwilioApi(TWILIO_SID, TWILIO_TOKEN))


@pytest.fixture
def client(
    settings: Settings,
    encoder: Encoder,
    log: io.StringIO,
    rasa: RasaRest,
    bot_api: TelegramBotApi,
    twilio_api: TwilioApi,
) -> Iterator[TestClient]:
    configured = Settings.model_validate(
        settings.model_dump()
        | {
            "archive_personal_data": "keep",  # the raw text goes into the INSERTs
            "rasa_url": rasa.url,
            "telegram_bot_token": TELEGRAM_TOKEN,
            "telegram_webhook_secret": TELEGRAM_SECRET,
            "telegram_api_url": bot_api.api_url,
            "public_url": PUBLIC,
            "twilio_account_sid": TWILIO_SID,
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_whatsapp_from": "whatsapp:+3197010000000",
            "twilio_api_url": twilio_api.url,
        }
    )
    with TestClient(create_app(configured, encoder)) as client:
        yield client


def test_no_personal_data_reaches_the_logs(
    client: TestClient, settings: Settings, engine: Engine, log: io.StringIO
) -> None:
    token = client.post("/api/webchat/sessions").json()["token"]
    for n, text in enumerate(MESSAGES):
        response = client.post(
            "/api/webchat/messages",
            json={"text": text, "client_message_id": f"m{n}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        telegram = client.post(
            "/webhooks/telegram",
            json=text_update(5000 + n, 4242, text),
            headers={SECRET_HEADER: TELEGRAM_SECRET},
        )
        assert telegram.status_code == 200
        form = inbound_form("whatsapp:+31612345678", text, f"SM{n:032d}")
        whatsapp = client.post(
            "/webhooks/twilio",
            **dict(
                zip(
                    ("content", "headers"),
                    signed(TWILIO_TOKEN, f"{PUBLIC}/webhooks/twilio", form),
                    strict=True,
                )
            ),
        )
        assert whatsapp.status_code == 200

    # An agent answers on every channel from the console, and notes it for colleagues.
    with Session(engine) as session, session.begin():
        staff.create_user(session, "anna", "correct horse battery", {"agent", "admin"})
        conversations = session.scalars(select(ConversationRow.id)).all()
    assert len(conversations) == 3
    login = {"username": "anna", "password": "correct horse battery"}
    agent = {
        "Authorization": "Bearer " + client.post("/api/console/login", json=login).json()["token"]
    }
    for conversation_id in conversations:
        url = f"/api/console/conversations/{conversation_id}"
        assert client.post(f"{url}/take", headers=agent).status_code == 200
        reply = client.post(f"{url}/messages", headers=agent, json={"text": AGENT_TEXT})
        assert reply.status_code == 201, reply.text
        assert (
            client.post(f"{url}/notes", headers=agent, json={"text": AGENT_TEXT}).status_code == 201
        )
        assert client.get(url, headers=agent).status_code == 200
    # An admin looks the WhatsApp resident up; someone logs in with an e-mail address as name.
    lookup = {"channel": "whatsapp", "user_id": f"whatsapp:{PERSONAL['whatsapp_number']}"}
    assert (
        client.post("/api/console/subjects/lookup", headers=agent, json=lookup).status_code == 200
    )
    wrong = {"username": PERSONAL["email"], "password": PERSONAL["iban"]}
    assert client.post("/api/console/login", json=wrong).status_code == 401

    archived = [text for _, text in stored(settings)]
    assert sum(PERSONAL["bsn"] in text for text in archived) == 9  # 3 channels: in, out, agent
    written = log.getvalue()
    assert "INSERT INTO message" in written  # SQLAlchemy logged the statements...
    assert "INSERT INTO conversation_note" in written  # the console's writes too
    assert "[BSN]" in written  # ...and their parameters, masked
    for kind, value in PERSONAL.items():
        assert value not in written, kind


def log_access(path: str, status: int) -> None:
    """An access line as uvicorn logs it, from a resident's address."""
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "192.0.2.7:5000", "GET", path, "1.1", status
    )


def test_access_log_lines_are_written_and_masked() -> None:
    """uvicorn's access formatter reads its fields from the record's arguments."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    level, access.level = access.level, logging.INFO
    try:
        personal_data.protect_logs("uvicorn.access")
        log_access("/api/webchat/events?token=9f8e7d6c5b4a", 200)
        log_access(f"/api/console/subjects/{PERSONAL['email']}", 404)
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    # No address, no session token (the event stream's query), no personal data in a path.
    assert stream.getvalue() == (
        '- - "GET /api/webchat/events?… HTTP/1.1" 200 OK\n'
        '- - "GET /api/console/subjects/[E-MAIL] HTTP/1.1" 404 Not Found\n'
    )
