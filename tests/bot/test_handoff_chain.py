"""Handoff state changes are archived in the conversation's hash chain: queued, taken, handed
back, closed, reopened. `loket archive verify` covers them; the resident never sees them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import sealing
from bot.app import create_app
from bot.cli import main
from bot.settings import Settings
from bot.tables import MessageRow, StaffUserRow
from knowledge_base.embeddings import Encoder
from tests.bot.conftest import add_user, login, resident
from tests.stand_ins.server import BackgroundServer, running


class HandingOverRasa(BackgroundServer):
    """Rasa whose actions hand every message to a person, as on "ik wil een medewerker"."""

    def __init__(self) -> None:
        super().__init__(
            Starlette(routes=[Route("/webhooks/rest/webhook", self._handle, methods=["POST"])])
        )

    async def _handle(self, request: Request) -> JSONResponse:
        sender = (await request.json())["sender"]
        handoff = {"reason": "request_human", "urgency": 1}
        return JSONResponse(
            [
                {"recipient_id": sender, "text": "Ik zet u door naar een medewerker."},
                {"recipient_id": sender, "custom": {"loket": {"handoff": handoff}}},
            ]
        )


@pytest.fixture(scope="module")
def rasa() -> Iterator[HandingOverRasa]:
    yield from running(HandingOverRasa())


@pytest.fixture
def client(settings: Settings, encoder: Encoder, rasa: HandingOverRasa) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"rasa_url": rasa.url}), encoder)) as c:
        yield c


def events(engine: Engine) -> list[tuple[object, ...]]:
    """(text, handoff reason, agent, from, to, urgency) of every handoff record, in order."""
    with Session(engine) as session:
        rows = session.execute(
            select(MessageRow, StaffUserRow.username)
            .outerjoin(StaffUserRow, StaffUserRow.id == MessageRow.agent_id)
            .where(MessageRow.sender == "system")
            .order_by(MessageRow.id)
        ).all()
    changes = [(r, name, (r.payload or {})["handoff"]) for r, name in rows]
    return [
        (r.text, r.handoff_reason, name, change["from"], change["to"], change["urgency"])
        for r, name, change in changes
    ]


def test_every_handoff_state_change_is_chained_and_verified(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    auth, conversation_id = resident(client)
    url = f"/api/console/conversations/{conversation_id}"

    def say(text: str) -> None:
        answer = client.post("/api/webchat/messages", headers=auth, json={"text": text})
        assert answer.status_code == 200, answer.text

    say("ik wil een medewerker spreken")
    assert client.post(f"{url}/take", headers=agent).status_code == 200
    assert client.post(f"{url}/take", headers=agent).status_code == 200  # no change, no record
    say("het gaat om mijn vergunning")
    assert (
        client.post(f"{url}/messages", headers=agent, json={"text": "Ik kijk"}).status_code == 201
    )
    assert client.post(f"{url}/hand-back", headers=agent).status_code == 200
    assert client.post(f"{url}/take", headers=agent).status_code == 200
    assert client.post(f"{url}/close", headers=agent).status_code == 200
    assert client.post(f"{url}/close", headers=agent).status_code == 200  # closed already
    say("toch nog een vraag")  # the web chat opens again, and Rasa hands it over again

    assert events(engine) == [
        ("handoff:queued", "request_human", None, "bot", "queued", 1),
        ("handoff:taken", None, "anna", "queued", "agent", 1),
        ("handoff:handed_back", None, "anna", "agent", "bot", 0),
        ("handoff:taken", None, "anna", "bot", "agent", 0),
        ("handoff:closed", None, "anna", "agent", "closed", 0),
        ("handoff:reopened", None, None, "closed", "bot", 0),
        ("handoff:queued", "request_human", None, "bot", "queued", 1),
    ]

    seen = client.get("/api/webchat/messages", headers=auth).json()["messages"]
    assert seen
    assert not any(m["text"].startswith("handoff:") for m in seen)
    transcript = client.get(url, headers=agent).json()["messages"]
    shown = [m["event"] for m in transcript if m["event"]]
    assert shown[:2] == [{"name": "queued", "agent": None}, {"name": "taken", "agent": "Anna"}]
    assert len(shown) == 7

    with Session(engine) as session:
        report = sealing.verify(session)
        assert report.broken == []
        assert report.messages == 15  # 3 + 1 + 3 from the resident and the bot, 1 agent, 7 events
        taken = session.scalars(
            select(MessageRow.id).where(MessageRow.text == "handoff:taken").order_by(MessageRow.id)
        ).first()

    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
    assert main(["archive", "verify"]) == 0
    with Session(engine) as session, session.begin():  # what an intruder with the database could do
        messages = MessageRow.metadata.tables[MessageRow.__tablename__]
        session.execute(delete(messages).where(messages.c.id == taken))
    capsys.readouterr()
    assert main(["archive", "verify"]) == 1
    assert "the chain is broken" in capsys.readouterr().out
