"""A resident's conversation through the web chat API, answered by the real Rasa and the
knowledge base, and checked in the archive."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.tables import ConversationRow, MessageRow
from tests.e2e.conftest import LOKET, LoketProcess

pytestmark = pytest.mark.e2e


class EventStream:
    """Reads the conversation's Server-Sent Events in the background."""

    def __init__(self, url: str, token: str, last_event_id: int | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.ids: list[str] = []
        self._url = f"{url}/api/webchat/events"
        self._params = {"token": token}
        self._headers = {"Last-Event-ID": str(last_event_id)} if last_event_id else {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server went away: keep what arrived
            self._read_events()

    def _read_events(self) -> None:
        with httpx.stream(
            "GET", self._url, params=self._params, headers=self._headers, timeout=None
        ) as response:
            event_id, name = None, "message"
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("id:"):
                    event_id = line[3:].strip()
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:") and name == "message":  # not the live notices
                    self.ids.append(str(event_id))
                    self.events.append(json.loads(line[5:].strip()))

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        while len(self.events) < count and not deadline.is_set():
            deadline.wait(0.05)
        timer.cancel()
        return self.events

    def close(self) -> None:
        self._stop.set()


def new_session(loket: LoketProcess) -> tuple[str, str]:
    response = httpx.post(f"{loket.url}/api/webchat/sessions", json={"language": "nl"})
    assert response.status_code == 201
    body = response.json()
    return body["token"], body["conversation_id"]


def say(loket: LoketProcess, token: str, text: str, client_id: str | None = None) -> dict[str, Any]:
    response = httpx.post(
        f"{loket.url}/api/webchat/messages",
        json={"text": text, "client_message_id": client_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def archived(loket: LoketProcess, conversation_id: str) -> tuple[ConversationRow, list[MessageRow]]:
    engine = create_engine(loket.database_url)
    with Session(engine) as session:
        conversation = session.get(ConversationRow, conversation_id)
        assert conversation is not None
        rows = list(
            session.scalars(
                select(MessageRow)
                .where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.id)
            )
        )
        session.expunge_all()
    engine.dispose()
    return conversation, rows


def test_three_turn_conversation_is_answered_and_archived(loket: LoketProcess) -> None:
    token, conversation_id = new_session(loket)
    stream = EventStream(loket.url, token)
    try:
        greeting = say(loket, token, "hallo", "c1")
        passport = say(loket, token, "hoe vraag ik een nieuw paspoort aan?", "c2")
        waste = say(loket, token, "wanneer wordt het grofvuil opgehaald", "c3")
        pushed = stream.wait_for(3)
    finally:
        stream.close()

    assert "digitale assistent" in greeting["replies"][0]["text"]
    assert "pasfoto" in passport["replies"][0]["text"]
    assert "grofvuil" in waste["replies"][0]["text"].lower()
    # Every reply is also pushed over Server-Sent Events, with the archive's id as event id.
    replies = [turn["replies"][0] for turn in (greeting, passport, waste)]
    assert [e["text"] for e in pushed] == [r["text"] for r in replies]
    assert stream.ids == [str(r["id"]) for r in replies]

    conversation, rows = archived(loket, conversation_id)
    assert conversation.channel == "webchat"
    assert conversation.state == "bot"
    assert [(r.direction, r.sender) for r in rows] == [("in", "resident"), ("out", "bot")] * 3
    assert all(r.channel == "webchat" and r.created_at is not None for r in rows)
    assert [r.external_id for r in rows if r.direction == "in"] == ["c1", "c2", "c3"]
    inbound = [r for r in rows if r.direction == "in"]
    assert [r.intent for r in inbound] == ["greet", "passport_id", "waste"]
    assert all(r.confidence is not None and 0 < r.confidence <= 1 for r in inbound)
    assert all(r.language == "nl" for r in rows)
    outbound = [r for r in rows if r.direction == "out"]
    assert [(r.kb_entry_id, r.kb_entry_version) for r in outbound] == [
        (None, None),
        ("paspoort-aanvragen", 1),
        ("grofvuil-ophalen", 1),
    ]
    assert all(r.kb_score is not None for r in outbound[1:])
    assert [r.text for r in outbound] == [r["text"] for r in replies]


def test_english_question_gets_an_english_answer(loket: LoketProcess) -> None:
    token, _ = new_session(loket)
    reply = say(loket, token, "How do I apply for a new passport?")["replies"][0]
    assert reply["language"] == "en"
    assert "photo" in reply["text"]


def test_a_weak_match_is_an_honest_i_dont_know(loket: LoketProcess) -> None:
    token, conversation_id = new_session(loket)
    reply = say(loket, token, "wat voor weer wordt het morgen")["replies"][0]
    assert "geen goed antwoord" in reply["text"]
    _, rows = archived(loket, conversation_id)
    assert rows[-1].kb_entry_id is None


def test_asking_for_a_person_records_the_handoff(loket: LoketProcess) -> None:
    token, conversation_id = new_session(loket)
    say(loket, token, "ik wil een medewerker spreken")
    conversation, rows = archived(loket, conversation_id)
    assert conversation.state == "queued"
    assert conversation.handoff_reason == "request_human"
    assert conversation.urgency == 1
    *messages, queued = rows
    assert (queued.direction, queued.text, queued.handoff_reason) == (
        "sys",
        "handoff:queued",
        "request_human",
    )  # the handoff itself, in the conversation's hash chain
    assert [r.handoff_reason for r in messages[-2:]] == ["request_human", None]
    assert "naar verwachting" in messages[-1].text or "weer op" in messages[-1].text


def test_a_retried_message_is_answered_once(loket: LoketProcess) -> None:
    token, conversation_id = new_session(loket)
    first = say(loket, token, "parkeervergunning aanvragen", "same-id")
    again = say(loket, token, "parkeervergunning aanvragen", "same-id")
    assert again["duplicate"] is True
    assert again["message"]["id"] == first["message"]["id"]
    assert again["replies"] == first["replies"]
    _, rows = archived(loket, conversation_id)
    assert len(rows) == 2


def test_reconnecting_stream_sends_only_what_was_missed(loket: LoketProcess) -> None:
    token, _ = new_session(loket)
    first = say(loket, token, "hoi")
    second = say(loket, token, "bedankt")
    stream = EventStream(loket.url, token, last_event_id=first["replies"][0]["id"])
    try:
        events = stream.wait_for(2)
    finally:
        stream.close()
    assert [e["id"] for e in events] == [second["message"]["id"], second["replies"][0]["id"]]


def ask(loket: LoketProcess, text: str) -> dict[str, Any]:
    result = subprocess.run(
        [str(LOKET), "ask", "--json", text],
        env=loket.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_loket_ask_returns_the_bulky_waste_entry(loket: LoketProcess) -> None:
    answer = ask(loket, "wanneer wordt het grofvuil opgehaald")
    assert answer["kb_entry"]["id"] == "grofvuil-ophalen"
    assert answer["kb_entry"]["version"] == 1
    assert answer["kb_entry"]["external_id"] is None
    assert 0 < answer["kb_entry"]["score"] <= 1
    assert answer["intent"]["name"] == "waste"
    assert answer["language"] == "nl"
    assert answer["handoff"] is None
    assert "grofvuil" in answer["text"].lower()


def test_loket_ask_knows_what_it_does_not_know(loket: LoketProcess) -> None:
    answer = ask(loket, "wat voor weer wordt het morgen")
    assert answer["kb_entry"] is None
    assert set(answer) == {"text", "language", "intent", "kb_entry", "handoff"}


def test_a_long_conversation_is_answered_to_the_end(loket: LoketProcess) -> None:
    """Rasa sends the whole conversation to the actions on every turn, growing past any
    resident-sized body limit after some twenty turns."""
    token, _ = new_session(loket)
    questions = ("wanneer wordt het grofvuil opgehaald", "hoe vraag ik een nieuw paspoort aan")
    for turn in range(30):
        body = say(loket, token, f"{questions[turn % 2]} ({turn})")
        assert body["replies"], f"no answer to turn {turn}"


def test_an_entry_published_from_the_command_line_is_answered_within_seconds(
    loket: LoketProcess, tmp_path: Path
) -> None:
    seed = tmp_path / "crisis.yml"
    seed.write_text(
        "version: 1\n"
        "entries:\n"
        "- id: zandzakken-hoogwater\n"
        "  topic: crisis\n"
        "  version: 1\n"
        "  questions:\n"
        "    nl:\n"
        "    - Waar kan ik zandzakken halen tegen het hoogwater?\n"
        "  answer:\n"
        "    nl: Zandzakken haalt u gratis bij de gemeentewerf aan de Havenweg.\n",
        encoding="utf-8",
    )
    subprocess.run(
        [str(LOKET), "kb", "import", str(seed), "--publish"],
        env=loket.env,
        cwd=loket.data_dir,
        check=True,
        capture_output=True,
        timeout=120,
    )
    published = time.monotonic()
    while True:  # a new conversation each time: asking the same again would go to a person
        token, _ = new_session(loket)
        reply = say(loket, token, "waar haal ik zandzakken voor het hoogwater")["replies"][0]
        if "gemeentewerf" in reply["text"] or time.monotonic() - published > 10:
            break
        time.sleep(0.5)
    assert "gemeentewerf" in reply["text"]
