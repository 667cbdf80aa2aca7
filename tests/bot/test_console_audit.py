"""What agents do in the console is written to the audit log: who viewed, took and answered."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import staff
from bot.tables import AuditRow
from tests.bot.conftest import PASSWORD, add_user, login, resident


def test_console_actions_are_audited(client: TestClient, engine: Engine) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    _, conversation_id = resident(client)
    base = f"/api/console/conversations/{conversation_id}"
    assert client.post(f"{base}/take", headers=agent).status_code == 200
    assert client.get(base, headers=agent).status_code == 200
    # The console reloads the open transcript with each new message: still one view.
    assert client.get(base, headers=agent).status_code == 200
    answer = client.post(f"{base}/messages", headers=agent, json={"text": "Goedemiddag"})
    assert answer.status_code == 201
    assert client.post(f"{base}/close", headers=agent).status_code == 200
    assert client.get("/api/console/conversations/unknown", headers=agent).status_code == 404

    with Session(engine) as session:
        entries = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("staff:anna", "console.login", "anna"),
        ("staff:anna", "conversation.take", conversation_id),
        ("staff:anna", "transcript.view", conversation_id),
        ("staff:anna", "conversation.reply", conversation_id),
        ("staff:anna", "conversation.close", conversation_id),
    ]
    assert entries[3].details == {"message_id": answer.json()["message"]["id"]}


def test_logins_failed_logins_and_logouts_are_audited_without_passwords(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "anna", {"agent"})
    add_user(engine, "bram", {"agent"}, totp=staff.new_totp_secret())
    login_url = "/api/console/login"
    attempts = [
        {"username": "anna", "password": "Zomer2026!geheim"},  # wrong password
        {"username": "onbekend", "password": "Zomer2026!geheim"},
        {"username": " Onbekend ", "password": "iets anders"},  # the same name, written otherwise
        {"username": "mijn-echte-wachtwoord!", "password": ""},  # a password in the wrong field
        {"username": "bram", "password": PASSWORD, "totp": "000000"},
    ]
    for attempt in attempts:
        refused = client.post(login_url, json=attempt)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthenticated"
    anna = login(client, "anna")
    assert client.post("/api/console/logout", headers=anna).status_code == 204
    assert client.get("/api/console/queue", headers=anna).status_code == 401
    again = client.post("/api/console/logout", headers=anna)  # an ended session: nothing to log
    assert again.status_code == 204

    with Session(engine) as session:
        entries = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
    rows = [(e.actor, e.action, e.target, e.details) for e in entries]
    unknown = rows[1][2]
    assert unknown.startswith("unknown:")
    assert rows == [
        ("anonymous", "console.login.failed", "anna", {"reason": "wrong_password"}),
        ("anonymous", "console.login.failed", unknown, {"reason": "unknown_user"}),
        ("anonymous", "console.login.failed", unknown, {"reason": "unknown_user"}),
        ("anonymous", "console.login.failed", rows[3][2], {"reason": "unknown_user"}),
        ("anonymous", "console.login.failed", "bram", {"reason": "totp"}),
        ("staff:anna", "console.login", "anna", None),
        ("staff:anna", "console.logout", "anna", None),
    ]
    assert rows[3][2] not in (unknown, "mijn-echte-wachtwoord!")
    written = repr(rows)
    for secret in (
        "Zomer2026!geheim",
        "iets anders",
        "mijn-echte-wachtwoord",
        "onbekend",
        PASSWORD,
    ):
        assert secret.lower() not in written.lower()
