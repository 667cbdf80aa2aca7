"""Retention periods, legal holds and `loket archive purge` with its destruction report."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import sealing
from bot.cli import main
from bot.settings import Settings
from bot.tables import AuditRow, ConversationRow, DestructionRow, MessageRow
from tests.bot.conftest import add_conversation

NOW = datetime.now(UTC)


@pytest.fixture
def conversations(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
    year_ago = NOW - timedelta(days=400)
    ids = {
        "expired": add_conversation(engine, ("resident", "a"), ("bot", "b"), at=year_ago),
        "held": add_conversation(engine, ("resident", "c"), ("bot", "d"), at=year_ago),
        "agent": add_conversation(
            engine, ("resident", "e"), ("agent", "f"), at=year_ago, handoff_reason="asked"
        ),
        "recent": add_conversation(engine, ("resident", "g"), at=NOW - timedelta(days=3)),
    }
    assert main(["archive", "hold", ids["held"], "--reason", "Woo-verzoek 2026-17"]) == 0
    return ids


def remaining(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(ConversationRow.id)))


def test_purge_destroys_what_expired_but_not_what_is_held(
    engine: Engine, conversations: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["archive", "purge", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert dry["destroyed"] == [conversations["expired"]]
    assert dry["held"] == [conversations["held"]]
    assert len(remaining(engine)) == 4

    assert main(["archive", "purge", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert result["destroyed"] == [conversations["expired"]]
    assert remaining(engine) == {conversations[k] for k in ("held", "agent", "recent")}
    with Session(engine) as session:
        gone = session.scalars(
            select(MessageRow).where(MessageRow.conversation_id == conversations["expired"])
        ).all()
        (report,) = session.scalars(select(DestructionRow)).all()
        actions = [a.action for a in session.scalars(select(AuditRow).order_by(AuditRow.id))]
        assert sealing.verify(session).broken == []
    assert gone == []
    assert report.conversation_id == conversations["expired"]
    assert report.reason == "retention"
    assert report.rule == "Loket bewaartermijnen: category bot, 365 days after the last message"
    assert (report.category, report.message_count) == ("bot", 2)
    assert report.chain_head is not None
    assert report.subject_key
    assert actions == ["archive.hold", "archive.purge", "archive.purge"]


def test_lifting_the_hold_lets_the_next_purge_destroy(
    engine: Engine, conversations: dict[str, str]
) -> None:
    assert main(["archive", "purge"]) == 0
    assert main(["archive", "hold", conversations["held"], "--release"]) == 0
    assert main(["archive", "purge"]) == 0
    assert remaining(engine) == {conversations["agent"], conversations["recent"]}
    with Session(engine) as session:
        reports = session.scalars(
            select(DestructionRow.conversation_id).order_by(DestructionRow.id)
        ).all()
    assert reports == [conversations["expired"], conversations["held"]]


def test_destruction_reports_are_kept(engine: Engine, conversations: dict[str, str]) -> None:
    assert main(["archive", "purge"]) == 0
    with Session(engine) as session:
        session.delete(session.scalars(select(DestructionRow)).one())
        with pytest.raises(sealing.AppendOnlyError):
            session.commit()


def test_a_hold_needs_a_reason(conversations: dict[str, str]) -> None:
    assert main(["archive", "hold", conversations["recent"]]) == 2
