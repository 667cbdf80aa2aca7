from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from bot import sealing
from bot.audit import record_audit
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
