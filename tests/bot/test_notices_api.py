"""Crisis notices through the API and the router: four eyes or the recorded urgent path, shown
once to each conversation (after the answer), on the web chat's public list while live, and
gone when ended. Rasa is the loopback stand-in that repeats the resident's words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.settings import Settings
from bot.tables import AuditRow, MessageRow
from knowledge_base.embeddings import Encoder
from tests.bot.conftest import add_user, login, resident
from tests.stand_ins.rasa_rest import RasaRest


@pytest.fixture
def client(settings: Settings, encoder: Encoder, rasa: RasaRest) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"rasa_url": rasa.url})
    with TestClient(create_app(configured, encoder)) as client:
        yield client


@pytest.fixture
def staff(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    add_user(engine, "anna", {"editor"})
    add_user(engine, "bob", {"approver"})
    return {name: login(client, name) for name in ("anna", "bob")}


def flood(**extra: Any) -> dict[str, Any]:
    return {
        "title": {"nl": "Hoogwater aan de Waalkade"},
        "body": {"nl": "Blijf weg van de kade. Zandzakken liggen bij de gemeentewerf."},
        "ends_at": (datetime.now(UTC) + timedelta(hours=6)).isoformat(),
        "url": "https://www.dijkstad.example/hoogwater",
        "topics": ["crisis"],
        **extra,
    }


def say(client: TestClient, who: dict[str, str], text: str) -> list[dict[str, Any]]:
    response = client.post("/api/webchat/messages", headers=who, json={"text": text})
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()["replies"]
    return replies


def test_a_published_notice_reaches_every_conversation_once_until_it_ends(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    anna, bob = staff["anna"], staff["bob"]
    chatting, _ = resident(client)
    assert [r["sender"] for r in say(client, chatting, "hallo")] == ["bot"]

    notice = client.post("/api/editor/notices", headers=anna, json=flood()).json()
    base = f"/api/editor/notices/{notice['id']}"
    assert client.post(f"{base}/submit", headers=anna).json()["state"] == "in_review"
    assert client.get("/api/webchat/notices").json() == {"notices": []}
    assert client.post(f"{base}/approve", headers=anna).status_code == 403
    published = client.post(f"{base}/approve", headers=bob)
    assert published.status_code == 200, published.text
    assert (published.json()["state"], published.json()["urgent"]) == ("live", False)

    (shown,) = client.get("/api/webchat/notices").json()["notices"]
    assert shown["title"] == {"nl": "Hoogwater aan de Waalkade"}
    replies = say(client, chatting, "waar zijn zandzakken")
    assert [r["sender"] for r in replies] == ["bot", "notice"]
    assert replies[1]["text"].startswith("**Belangrijk bericht van de gemeente: Hoogwater")
    assert "https://www.dijkstad.example/hoogwater" in replies[1]["text"]
    assert [r["sender"] for r in say(client, chatting, "en nu?")] == ["bot"]  # once

    newcomer, _ = resident(client)
    english = say(client, newcomer, "hello, what is going on")
    assert english[1]["text"].startswith("(This message is only available in Dutch.)")

    assert client.post(f"{base}/end", headers=bob).json()["state"] == "ended"
    assert client.get("/api/webchat/notices").json() == {"notices": []}
    later, _ = resident(client)
    assert [r["sender"] for r in say(client, later, "hallo")] == ["bot"]

    with Session(engine) as session:
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.action.like("notice.%"))
        ).all()
        archived = session.scalars(select(MessageRow.payload).where(MessageRow.sender == "notice"))
        assert [p["notice"] for p in archived if p] == [notice["id"]] * 2
    assert actions == [
        "notice.draft",
        "notice.submit",
        "notice.publish",
        "notice.end",
    ]


def test_the_urgent_path_is_for_an_approver_who_confirms_and_is_recorded(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    anna, bob = staff["anna"], staff["bob"]
    notice = client.post("/api/editor/notices", headers=bob, json=flood()).json()
    client.post(f"/api/editor/notices/{notice['id']}/submit", headers=bob)
    own = client.post(f"/api/editor/notices/{notice['id']}/approve", headers=bob)
    assert (own.status_code, own.json()["error"]["code"]) == (403, "four_eyes")
    urgent = f"/api/editor/notices/{notice['id']}/urgent"
    assert client.post(urgent, headers=anna, json={"confirm": True}).status_code == 403
    assert client.post(urgent, headers=bob, json={}).status_code == 422
    published = client.post(urgent, headers=bob, json={"confirm": True}).json()
    assert (published["state"], published["urgent"], published["approved_by"]) == (
        "live",
        True,
        "staff:bob",
    )
    with Session(engine) as session:
        details = session.scalars(
            select(AuditRow.details).where(AuditRow.action == "notice.publish")
        ).one()
        refused = session.scalars(
            select(AuditRow.actor).where(AuditRow.action == "notice.publish.refused")
        ).all()
    assert details == {"author": "staff:bob", "urgent": True}
    assert refused == ["staff:bob"]
    changed = client.put(f"/api/editor/notices/{notice['id']}", headers=bob, json=flood())
    assert changed.status_code == 409  # published: a correction replaces it instead
    correction = client.post(
        "/api/editor/notices", headers=anna, json=flood(replaces=notice["id"])
    ).json()
    client.post(f"/api/editor/notices/{correction['id']}/submit", headers=anna)
    client.post(f"/api/editor/notices/{correction['id']}/approve", headers=bob)
    listed = client.get("/api/editor/notices", headers=anna).json()["notices"]
    assert [(n["id"], n["state"]) for n in listed] == [
        (correction["id"], "live"),
        (notice["id"], "ended"),
    ]
