from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import RasaUnavailable
from bot.rasa_client import RasaClient, parse_replies
from bot.router import rasa_text
from channels.base import Choice

RECORDED = Path(__file__).parent.parent / "fixtures" / "rasa_rest_output.json"


def test_joins_texts_with_their_custom_payload() -> None:
    (reply,) = parse_replies(json.loads(RECORDED.read_text(encoding="utf-8")))
    assert reply.text == "Antwoord"
    assert reply.choices == [Choice(title="A", payload="a")]
    assert reply.meta == {"intent": {"name": "x", "confidence": 0.5}, "kb_entry": None}


def test_joins_the_paragraphs_rasa_split() -> None:
    replies = parse_replies(
        [
            {"recipient_id": "r", "text": "Alinea een."},
            {"recipient_id": "r", "text": "Meer informatie: https://example.org"},
            {"recipient_id": "r", "custom": {"loket": {"kb_entry": {"id": "a"}}}},
            {"recipient_id": "r", "text": "Volgende actie."},
            {"recipient_id": "r", "custom": {"loket": {"kb_entry": None}}},
        ]
    )
    assert [(r.text, r.meta) for r in replies] == [
        ("Alinea een.\n\nMeer informatie: https://example.org", {"kb_entry": {"id": "a"}}),
        ("Volgende actie.", {"kb_entry": None}),
    ]


def test_keeps_texts_without_payload_and_ignores_foreign_custom_messages() -> None:
    replies = parse_replies(
        [
            {"recipient_id": "r", "text": "Een"},
            {"recipient_id": "r", "custom": {"something": "else"}},
            {"recipient_id": "r", "text": "Twee"},
        ]
    )
    assert [(r.text, r.meta) for r in replies] == [("Een", {}), ("Twee", {})]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/restart", "restart"),
        ('/greet{"x":1}', 'greet{"x":1}'),
        ("//", "?"),
        ("hoe laat / wanneer", "hoe laat / wanneer"),
    ],
)
def test_a_resident_cannot_send_rasa_commands(text: str, expected: str) -> None:
    assert rasa_text(text) == expected
    assert not rasa_text(text).startswith("/")


async def test_unreachable_rasa_is_a_clear_error() -> None:
    client = RasaClient("http://127.0.0.1:9", timeout=2.0)
    try:
        assert not await client.is_ready()
        with pytest.raises(RasaUnavailable):
            await client.send("someone", "hallo", {})
    finally:
        await client.aclose()


async def test_a_closed_client_opens_new_connections_when_used_again() -> None:
    client = RasaClient("http://127.0.0.1:9", timeout=2.0)
    await client.aclose()  # before any use: nothing to close
    assert not await client.is_ready()
    await client.aclose()
    assert not await client.is_ready()  # not "Session is closed"
    await client.aclose()
