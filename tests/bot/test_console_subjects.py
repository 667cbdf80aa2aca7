"""Residents' rights in the console API: only admins find a resident, download the access
export and erase; every step is audited under the resident's pseudonym, never their id."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.tables import AuditRow, ConversationRow
from tests.bot.conftest import add_conversation, add_user, login

SUBJECT = {"channel": "telegram", "user_id": "4242"}
API = "/api/console/subjects"


@pytest.fixture
def conversations(engine: Engine) -> dict[str, str]:
    week_ago = datetime.now(UTC) - timedelta(days=7)
    ids = {
        "bot": add_conversation(
            engine, ("resident", "Mijn IBAN is NL91ABNA0417164300"), ("bot", "Dank u"), at=week_ago
        ),
        "agent": add_conversation(
            engine, ("resident", "Bezwaar tegen mijn aanslag"), ("agent", "Ik help u"),
            at=week_ago, handoff_reason="complex",
        ),
        "held": add_conversation(
            engine, ("resident", "Mijn BSN is 111222333"), ("bot", "Dank u"), at=week_ago
        ),
        "someone_else": add_conversation(engine, ("resident", "hoi"), user_id="777"),
    }  # fmt: skip
    with Session(engine) as session, session.begin():
        held = session.get_one(ConversationRow, ids["held"])
        held.legal_hold, held.legal_hold_reason = True, "Woo-verzoek 2026-17"
    return ids


def audit(engine: Engine) -> list[AuditRow]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditRow).order_by(AuditRow.id)))


def test_only_a_logged_in_admin_may_use_residents_rights(
    client: TestClient, engine: Engine, conversations: dict[str, str]
) -> None:
    add_user(engine, "anna", {"agent", "editor", "approver"})
    add_user(engine, "beheer", {"admin"})
    assert client.post(f"{API}/lookup", json=SUBJECT).status_code == 401
    bogus = {"Authorization": "Bearer not-a-token"}
    assert client.post(f"{API}/lookup", json=SUBJECT, headers=bogus).status_code == 401

    agent = login(client, "anna")
    refused = client.post(f"{API}/lookup", json=SUBJECT, headers=agent)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    key = "ab" * 32
    assert client.get(f"{API}/{key}/access", headers=agent).status_code == 403
    assert client.get(f"{API}/{key}", headers=agent).status_code == 403
    erase = client.post(f"{API}/{key}/erase", json={"confirm": True}, headers=agent)
    assert erase.status_code == 403

    admin = login(client, "beheer")
    unknown = client.post(f"{API}/lookup", json=SUBJECT | {"user_id": "999"}, headers=admin)
    assert unknown.status_code == 404
    assert client.get(f"{API}/{key}/access", headers=admin).status_code == 404
    assert (
        client.post(f"{API}/{key}/erase", json={"confirm": True}, headers=admin).status_code == 404
    )
    assert client.get(f"{API}/not-a-key/access", headers=admin).status_code == 422
    bad_channel = client.post(
        f"{API}/lookup", json={"channel": "sms", "user_id": "1"}, headers=admin
    )
    assert bad_channel.status_code == 422

    entries = [(e.actor, e.action, e.details) for e in audit(engine) if e.action != "console.login"]
    assert entries[:4] == [
        ("staff:anna", "subject.denied", {"attempted": "lookup"}),
        ("staff:anna", "subject.denied", {"attempted": "access"}),
        ("staff:anna", "subject.denied", {"attempted": "view"}),
        ("staff:anna", "subject.denied", {"attempted": "erase"}),
    ]
    assert entries[4] == ("staff:beheer", "subject.lookup", {"found": False})
    assert len(entries) == 5  # a request for an unknown key reads nothing, so nothing to audit


def test_an_admin_finds_a_resident_exports_erases_and_sees_what_remains_and_why(
    client: TestClient, engine: Engine, conversations: dict[str, str]
) -> None:
    add_user(engine, "beheer", {"admin"})
    admin = login(client, "beheer")

    found = client.post(f"{API}/lookup", json=SUBJECT, headers=admin)
    assert found.status_code == 200, found.text
    summary = found.json()
    key = summary["subject_key"]
    assert len(key) == 64
    assert "4242" not in found.text  # the pseudonym, never the id itself
    listed = {c["id"]: c for c in summary["conversations"]}
    assert set(listed) == {conversations[k] for k in ("bot", "agent", "held")}
    assert all("messages" not in c and c["message_count"] == 2 for c in listed.values())
    assert listed[conversations["bot"]]["erasable"] is True
    assert listed[conversations["held"]]["kept_because"] == ["legal hold"]

    export = client.get(f"{API}/{key}/access", headers=admin)
    assert export.status_code == 200
    assert export.headers["content-disposition"] == (
        f'attachment; filename="inzageverzoek-{key[:12]}.json"'
    )
    texts = [m["text"] for c in export.json()["conversations"] for m in c["messages"]]
    assert "Mijn IBAN is NL91ABNA0417164300" in texts  # decrypted for the resident

    preview = client.post(f"{API}/{key}/erase", json={"dry_run": True}, headers=admin)
    assert preview.json()["erased"] == [conversations["bot"]]
    assert client.post(f"{API}/{key}/erase", json={}, headers=admin).status_code == 422
    with Session(engine) as session:
        assert session.get(ConversationRow, conversations["bot"]) is not None

    erased = client.post(f"{API}/{key}/erase", json={"confirm": True}, headers=admin)
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"] == [conversations["bot"]]
    assert set(erased.json()["kept"]) == {conversations["agent"], conversations["held"]}
    again = client.post(f"{API}/{key}/erase", json={"confirm": True}, headers=admin)
    assert again.status_code == 409
    assert "legal hold" in again.json()["error"]["message"]

    shown = client.get(f"{API}/{key}", headers=admin).json()
    assert [c["id"] for c in shown["conversations"]] == [
        conversations["agent"],
        conversations["held"],
    ]
    after = client.get(f"{API}/{key}/access", headers=admin).json()
    remaining = {c["id"]: c["kept_because"] for c in after["conversations"]}
    assert remaining[conversations["held"]] == ["legal hold"]
    assert remaining[conversations["agent"]][0].startswith("Archiefwet: ")
    (destroyed,) = after["destroyed"]
    assert destroyed["conversation_id"] == conversations["bot"]
    assert destroyed["reason"] == "erasure"
    with Session(engine) as session:
        assert session.get(ConversationRow, conversations["someone_else"]) is not None

    entries = [e for e in audit(engine) if e.action != "console.login"]
    assert [(e.action, e.target, (e.details or {}).get("dry_run")) for e in entries] == [
        ("subject.lookup", key, None),
        ("subject.access", key, None),
        ("subject.erase", key, True),
        ("subject.erase", key, False),
        ("subject.erase", key, False),  # the refused second request, with why
        ("subject.view", key, None),
        ("subject.access", key, None),
    ]
    assert entries[4].details is not None
    assert entries[4].details["erased"] == []
    assert all(e.actor == "staff:beheer" for e in entries)
    assert "4242" not in json.dumps([(e.target, e.details) for e in entries])
