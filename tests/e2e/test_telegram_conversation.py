"""A resident on Telegram, through the Bot API stand-in, answered by the real Rasa."""

from __future__ import annotations

import subprocess
import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.tables import ConversationRow, MessageRow
from channels.telegram import SECRET_HEADER
from tests.e2e.conftest import LOKET, TELEGRAM_SECRET, LoketProcess, agent_login, agent_replies
from tests.stand_ins.telegram_bot_api import TelegramBotApi, text_update

pytestmark = pytest.mark.e2e


def deliver(loket: LoketProcess, update: dict[str, Any]) -> httpx.Response:
    """Post an update the way Telegram does, with the secret token header."""
    return httpx.post(
        f"{loket.url}/webhooks/telegram",
        json=update,
        headers={SECRET_HEADER: TELEGRAM_SECRET},
        timeout=60,
    )


def archive_of(loket: LoketProcess, chat_id: int) -> list[MessageRow]:
    engine = create_engine(loket.database_url)
    with Session(engine) as session:
        conversation_ids = select(ConversationRow.id).where(
            ConversationRow.channel == "telegram", ConversationRow.channel_key == str(chat_id)
        )
        rows = list(
            session.scalars(
                select(MessageRow)
                .where(MessageRow.conversation_id.in_(conversation_ids))
                .order_by(MessageRow.id)
            )
        )
        session.expunge_all()
    engine.dispose()
    return rows


def test_a_conversation_on_telegram(loket: LoketProcess, telegram_api: TelegramBotApi) -> None:
    chat = 5_550_001
    assert deliver(
        loket, text_update(70_001, chat, "hoe vraag ik een nieuw paspoort aan?")
    ).is_success
    assert deliver(loket, text_update(70_002, chat, "bedankt!")).is_success
    passport, thanks = telegram_api.wait_for_messages(chat, 2)
    assert "pasfoto" in passport["text"]
    assert passport["parse_mode"] == "HTML"
    assert "Graag gedaan" in thanks["text"]

    rows = archive_of(loket, chat)
    assert [(r.direction, r.channel) for r in rows] == [("in", "telegram"), ("out", "telegram")] * 2
    assert [r.external_id for r in rows if r.direction == "in"] == ["70001", "70002"]
    assert rows[1].kb_entry_id == "paspoort-aanvragen"


def test_the_same_update_twice_at_once_is_answered_once(
    loket: LoketProcess, telegram_api: TelegramBotApi
) -> None:
    chat = 5_550_002
    update = text_update(70_010, chat, "wanneer wordt het grofvuil opgehaald")
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(deliver(loket, update).status_code))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    (reply,) = telegram_api.wait_for_messages(chat, 1)
    assert "grofvuil" in reply["text"].lower()
    assert len(archive_of(loket, chat)) == 2


def test_a_forged_update_never_reaches_rasa(
    loket: LoketProcess, telegram_api: TelegramBotApi
) -> None:
    chat = 5_550_003
    response = httpx.post(
        f"{loket.url}/webhooks/telegram",
        json=text_update(70_020, chat, "hallo"),
        headers={SECRET_HEADER: "guessed"},
    )
    assert response.status_code == 403
    assert telegram_api.sent(chat) == []
    assert archive_of(loket, chat) == []


def test_set_webhook_registers_url_and_secret(
    loket: LoketProcess, telegram_api: TelegramBotApi
) -> None:
    env = loket.env | {"LOKET_PUBLIC_URL": "https://loket.dijkstad.example/"}
    result = subprocess.run(
        [str(LOKET), "channels", "telegram", "set-webhook"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "https://loket.dijkstad.example/webhooks/telegram" in result.stdout
    method, params = telegram_api.calls[-1]
    assert method == "setWebhook"
    assert params["url"] == "https://loket.dijkstad.example/webhooks/telegram"
    assert params["secret_token"] == TELEGRAM_SECRET
    assert set(params["allowed_updates"]) == {"message", "edited_message", "callback_query"}


def test_an_agent_answers_a_telegram_resident_later(
    loket: LoketProcess, telegram_api: TelegramBotApi
) -> None:
    chat = 5_550_004
    assert deliver(loket, text_update(70_030, chat, "ik wil een medewerker spreken")).is_success
    handoff, waiting = telegram_api.wait_for_messages(chat, 2)
    assert "medewerker" in handoff["text"]
    assert "verwachting" in waiting["text"] or "weer op" in waiting["text"]
    conversation_id = archive_of(loket, chat)[0].conversation_id

    agent_replies(
        loket, agent_login(loket), conversation_id, "Dag, ik ben Anna. Bel ons op **14 0123**."
    )
    agent_message = telegram_api.wait_for_messages(chat, 3)[-1]
    assert agent_message["text"] == "Dag, ik ben Anna. Bel ons op <b>14 0123</b>."
    assert agent_message["parse_mode"] == "HTML"

    # While the agent holds the conversation, the resident's message goes to the agent only.
    assert deliver(loket, text_update(70_031, chat, "dank u, ik bel morgen")).is_success
    rows = archive_of(loket, chat)
    assert [(r.direction, r.sender) for r in rows] == [
        ("in", "resident"),
        ("out", "bot"),
        ("out", "bot"),
        ("sys", "system"),  # queued
        ("sys", "system"),  # taken by the agent
        ("out", "agent"),
        ("in", "resident"),
    ]
    assert len(telegram_api.sent(chat)) == 3
