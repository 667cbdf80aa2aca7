"""Property-based fuzzing of every parser that reads what the internet sends: whatever comes in,
the answer is a parsed message or a clear refusal (a ChannelError), never a crash."""

from __future__ import annotations

import contextlib
import unicodedata
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from channels.base import ChannelError, normalise
from channels.telegram import TelegramChannel
from channels.webchat import validate_client_id, validate_text
from channels.whatsapp import WhatsAppChannel
from tests.stand_ins.telegram_bot_api import text_update

ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300
) | st.sampled_from(["\u202e\u2066evil", "a\u0000b", "e\u0301", "\ufeff", "x" * 5000, "🙂" * 50])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            ODD_TEXT | st.sampled_from(["message", "text", "chat", "id"]), children, max_size=5
        )
    ),
    max_leaves=30,
)

telegram = TelegramChannel("123:token", "secret", "http://127.0.0.1:9/bot")
whatsapp = WhatsAppChannel("ACtest", "token", "whatsapp:+3197010000000", "https://loket.example")


def parses_or_refuses(parse: Any, data: Any) -> None:
    with contextlib.suppress(ChannelError):
        parse(data)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_telegram_survives_any_json(data: Any) -> None:
    parses_or_refuses(telegram.parse, data)


@settings(max_examples=200, deadline=None)
@given(
    update_id=st.integers(),
    chat_id=st.integers(min_value=-(2**40), max_value=2**40),
    text=ODD_TEXT,
    field=st.sampled_from(["text", "date", "from", "chat", "entities"]),
    value=JSON,
)
def test_telegram_survives_a_real_update_with_one_field_mangled(
    update_id: int, chat_id: int, text: str, field: str, value: Any
) -> None:
    update = text_update(update_id, chat_id, text)
    update["message"][field] = value
    parses_or_refuses(telegram.parse, update)


def deeply_nested(depth: int) -> Any:
    data: Any = "x"
    for _ in range(depth):
        data = {"message": data}
    return data


def test_telegram_survives_deep_nesting() -> None:
    parses_or_refuses(telegram.parse, {"update_id": 1, "message": deeply_nested(500)})


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        ODD_TEXT
        | st.sampled_from(
            ["From", "Body", "MessageSid", "NumMedia", "MediaContentType0", "Latitude", "Longitude"]
        ),
        ODD_TEXT,
        max_size=8,
    )
)
def test_whatsapp_survives_any_form(form: dict[str, str]) -> None:
    parses_or_refuses(whatsapp.parse, form)


@settings(max_examples=300, deadline=None)
@given(ODD_TEXT, ODD_TEXT)
def test_whatsapp_text_is_normalised(body: str, sid: str) -> None:
    form = {"From": "whatsapp:+31600000000", "MessageSid": sid or "SM1", "Body": body}
    try:
        inbound = whatsapp.parse(form)
    except ChannelError:
        return
    assert inbound.text == normalise(inbound.text)


@settings(max_examples=500, deadline=None)
@given(JSON)
def test_webchat_validation_survives_anything(value: Any) -> None:
    parses_or_refuses(lambda v: validate_text(v, 4000), value)
    parses_or_refuses(validate_client_id, value)


@settings(max_examples=500, deadline=None)
@given(ODD_TEXT)
def test_normalised_text_is_nfc_without_control_characters_and_stable(text: str) -> None:
    clean = normalise(text)
    assert clean == unicodedata.normalize("NFC", clean)
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in clean)
    assert "\u202e" not in clean
    assert normalise(clean) == clean
