from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from bot import audit, sealing
from bot.audit import record_audit, record_view
from bot.cli import main
from bot.settings import Settings
from bot.tables import AuditRow


def failing_export(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        record_audit(session, "cli:x", "archive.export", "out")
        raise RuntimeError("the action failed")


def test_audit_entries_are_written_with_their_transaction_and_never_changed(
    engine: Engine,
) -> None:
    with Session(engine) as session, session.begin():
        record_audit(session, "cli:redacteur", "kb.publish", "paspoort-aanvragen", {"version": 3})
    with Session(engine) as session:
        entry = session.scalars(select(AuditRow)).one()
        assert (entry.actor, entry.action, entry.details) == (
            "cli:redacteur",
            "kb.publish",
            {"version": 3},
        )
        entry.actor = "iemand anders"
        with pytest.raises(sealing.AppendOnlyError):
            session.commit()
    with Session(engine) as session, pytest.raises(sealing.AppendOnlyError):
        session.execute(delete(AuditRow))
    with pytest.raises(RuntimeError):
        failing_export(engine)
    with Session(engine) as session:
        assert session.scalars(select(AuditRow.action)).all() == ["kb.publish"]


def test_knowledge_base_imports_and_new_staff_accounts_are_audited(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["staff", "add", "anna", "--roles", "agent", "--display-name", "Anna"]) == 0
    assert main(["kb", "import", str(settings.kb_seed_file)]) == 0
    with Session(engine) as session:
        entries = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
    assert [(e.action, e.target) for e in entries] == [
        ("staff.add", "anna"),
        ("kb.import", settings.kb_seed_file.name),
    ]
    assert entries[0].details == {"roles": ["agent"], "totp": False}
    assert entries[1].actor.startswith("cli:")
    assert entries[1].details is not None
    assert entries[1].details["status"] == "draft"


def test_a_view_counts_once_per_person_and_record_within_the_window(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def views() -> list[tuple[str, str]]:
        with Session(engine) as session:
            rows = session.scalars(select(AuditRow).where(AuditRow.action == "transcript.view"))
            return [(row.actor, row.target) for row in rows]

    def view(actor: str, target: str) -> None:
        with Session(engine) as session, session.begin():
            record_view(session, actor, "transcript.view", target)

    view("staff:anna", "c1")
    view("staff:anna", "c1")
    view("staff:bram", "c1")
    view("staff:anna", "c2")
    assert views() == [("staff:anna", "c1"), ("staff:bram", "c1"), ("staff:anna", "c2")]

    monkeypatch.setattr(audit, "VIEW_WINDOW", timedelta(0))
    view("staff:anna", "c1")
    assert views().count(("staff:anna", "c1")) == 2
