"""Telegram updates parsed by python-telegram-bot's own objects; replies sent through PTB's Bot to
a stand-in of the Bot API on loopback."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from channels.base import Choice, Forbidden, InvalidMessage, Outbound
from channels.telegram import MAX_TEXT, TelegramChannel
from tests.stand_ins.server import running
from tests.stand_ins.telegram_bot_api import TelegramBotApi, text_update

TOKEN = "123456:TEST-token"
SECRET = "webhook-secret-for-tests"


@pytest.fixture(scope="module")
def bot_api() -> Iterator[TelegramBotApi]:
    yield from running(TelegramBotApi(TOKEN))


@pytest.fixture
def channel(bot_api: TelegramBotApi) -> TelegramChannel:
    return TelegramChannel(TOKEN, SECRET, bot_api.api_url)


def test_verify_accepts_only_the_secret(channel: TelegramChannel) -> None:
    channel.verify(SECRET)
    for wrong in (None, "", "webhook-secret-for-test", SECRET + "x", SECRET.upper()):
        with pytest.raises(Forbidden):
            channel.verify(wrong)


def test_a_text_message(channel: TelegramChannel) -> None:
    parsed = channel.parse(text_update(501, 42, "  hoe vraag ik een\u200b paspoort aan?  "))
    assert parsed is not None
    inbound = parsed.inbound
    assert (inbound.channel, inbound.channel_key, inbound.external_id) == ("telegram", "42", "501")
    assert (inbound.kind, inbound.text) == ("text", "hoe vraag ik een paspoort aan?")
    assert parsed.callback_query_id is None


def with_message(update: dict[str, Any], **fields: Any) -> dict[str, Any]:
    update = copy.deepcopy(update)
    del update["message"]["text"]
    update["message"].update(fields)
    return update


PHOTO = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"photo": PHOTO}, "photo"),
        ({"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3}}, "voice"),
        (
            {
                "sticker": {
                    "file_id": "s", "file_unique_id": "s1", "width": 512, "height": 512,
                    "is_animated": False, "is_video": False, "type": "regular",
                }
            },
            "sticker",
        ),
        ({"location": {"latitude": 52.37, "longitude": 4.89}}, "location"),
        ({"contact": {"phone_number": "0612345678", "first_name": "X"}}, "other"),
    ],
)  # fmt: skip
def test_what_loket_cannot_read_is_named(
    channel: TelegramChannel, fields: dict[str, Any], kind: str
) -> None:
    parsed = channel.parse(with_message(text_update(502, 42, "x"), **fields))
    assert parsed is not None
    assert parsed.inbound.kind == kind
    assert parsed.inbound.text == f"[{kind}]"


def test_an_edited_message(channel: TelegramChannel) -> None:
    update = text_update(503, 42, "nieuwe tekst")
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = update["edited_message"]["date"]
    parsed = channel.parse(update)
    assert parsed is not None
    assert (parsed.inbound.kind, parsed.inbound.text) == ("edit", "nieuwe tekst")


def test_a_tapped_button(channel: TelegramChannel) -> None:
    update = text_update(504, 42, "x")
    update["callback_query"] = {
        "id": "cbq-1",
        "from": update["message"]["from"],
        "chat_instance": "ci",
        "data": "paspoort aanvragen",
        "message": update.pop("message"),
    }
    parsed = channel.parse(update)
    assert parsed is not None
    assert (parsed.inbound.text, parsed.callback_query_id) == ("paspoort aanvragen", "cbq-1")


def test_group_chats_and_other_updates_are_left_alone(channel: TelegramChannel) -> None:
    group = text_update(505, -100, "hallo allemaal")
    group["message"]["chat"] = {"id": -100, "type": "group", "title": "Buurt"}
    assert channel.parse(group) is None
    assert channel.parse({"update_id": 506}) is None


@pytest.mark.parametrize("data", [[], {"message": {}}, {"update_id": "7"}, "text", None])
def test_garbage_is_refused(channel: TelegramChannel, data: Any) -> None:
    with pytest.raises(InvalidMessage):
        channel.parse(data)


async def test_send_escapes_html_and_adds_buttons(
    channel: TelegramChannel, bot_api: TelegramBotApi
) -> None:
    await channel.send(
        "4242",
        Outbound(
            "Kijk op <b>de site</b> & bel ons.", choices=[Choice("Ja", "ja"), Choice("Nee", "nee")]
        ),
    )
    (sent,) = bot_api.sent(4242)
    assert sent["text"] == "Kijk op &lt;b&gt;de site&lt;/b&gt; &amp; bel ons."
    assert sent["parse_mode"] == "HTML"
    buttons = sent["reply_markup"]["inline_keyboard"]
    assert [[b["text"], b["callback_data"]] for row in buttons for b in row] == [
        ["Ja", "ja"],
        ["Nee", "nee"],
    ]


async def test_send_splits_long_messages(channel: TelegramChannel, bot_api: TelegramBotApi) -> None:
    sentence = "Dit is een zin van een lang antwoord. "
    await channel.send("4343", Outbound(sentence * 300, choices=[Choice("Ok", "ok")]))
    sent = bot_api.sent(4343)
    assert len(sent) == 3
    assert all(len(part["text"]) <= MAX_TEXT for part in sent)
    assert all(part["text"].endswith(".") for part in sent)
    assert [("reply_markup" in part) for part in sent] == [False, False, True]
