"""A resident's erasure request followed by an access request: what remains, and why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import sealing
from bot.cli import main
from bot.settings import Settings
from bot.tables import AuditRow, ConversationRow
from tests.bot.conftest import add_conversation

SUBJECT = ["--channel", "telegram", "--user-id", "4242"]


@pytest.fixture
def conversations(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
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
    assert main(["archive", "hold", ids["held"], "--reason", "Woo-verzoek 2026-17"]) == 0
    return ids


def remaining(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(ConversationRow.id)))


def test_erasure_then_access_shows_what_remains_and_why(
    engine: Engine,
    conversations: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["archive", "subject", "erase", *SUBJECT, "--dry-run"]) == 0
    assert len(remaining(engine)) == 4

    assert main(["archive", "subject", "erase", *SUBJECT, "--json"]) == 0
    erasure = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert erasure["erased"] == [conversations["bot"]]
    assert set(erasure["kept"]) == {conversations["agent"], conversations["held"]}
    assert remaining(engine) == {conversations[k] for k in ("agent", "held", "someone_else")}

    out = tmp_path / "access.json"
    assert main(["archive", "subject", "export", *SUBJECT, "--out", str(out)]) == 0
    access = json.loads(out.read_text())
    by_id = {c["id"]: c for c in access["conversations"]}
    assert set(by_id) == {conversations["agent"], conversations["held"]}
    agent = by_id[conversations["agent"]]
    assert agent["erasable"] is False
    assert agent["kept_because"][0].startswith("Archiefwet: Loket bewaartermijnen: category agent")
    held = by_id[conversations["held"]]
    assert held["kept_because"] == ["legal hold"]
    assert held["legal_hold_reason"] == "Woo-verzoek 2026-17"
    resident_message = held["messages"][0]
    assert resident_message["text"] == "Mijn BSN is 111222333"  # decrypted for the resident
    assert resident_message["archived_text"] == "Mijn BSN is [BSN]"
    (destroyed,) = access["destroyed"]
    assert destroyed["conversation_id"] == conversations["bot"]
    assert (destroyed["reason"], destroyed["message_count"]) == ("erasure", 2)
    assert "AVG art. 17" in destroyed["rule"]

    with Session(engine) as session:
        audit = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        assert sealing.verify(session).broken == []
    assert [a.action for a in audit][-3:] == [
        "archive.subject.erase",
        "archive.subject.erase",
        "archive.subject.export",
    ]
    assert audit[-1].target == access["subject_key"]
    assert all("4242" not in json.dumps(a.details) + a.target for a in audit)


def test_once_the_hold_is_lifted_erasure_takes_the_rest_the_law_allows(
    engine: Engine, conversations: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["archive", "hold", conversations["held"], "--release"]) == 0
    assert main(["archive", "subject", "erase", *SUBJECT]) == 0
    assert remaining(engine) == {conversations["agent"], conversations["someone_else"]}
    capsys.readouterr()
    assert main(["archive", "subject", "export", *SUBJECT]) == 0
    access = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in access["conversations"]] == [conversations["agent"]]
    assert len(access["destroyed"]) == 2


def set_state(engine: Engine, conversation_id: str, state: str) -> None:
    with Session(engine) as session, session.begin():
        row = session.get(ConversationRow, conversation_id)
        assert row is not None
        row.state = state


def test_a_conversation_open_with_the_team_is_erased_only_once_it_is_closed(
    engine: Engine, conversations: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    set_state(engine, conversations["bot"], "agent")
    assert main(["archive", "subject", "erase", *SUBJECT, "--json"]) == 0
    erasure = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert erasure["erased"] == []
    assert erasure["kept"][conversations["bot"]] == [
        "open with the team: erasable once it is closed"
    ]

    set_state(engine, conversations["bot"], "closed")
    assert main(["archive", "subject", "erase", *SUBJECT, "--json"]) == 0
    erasure = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert erasure["erased"] == [conversations["bot"]]
