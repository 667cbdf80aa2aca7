"""`loket kb publish|rollback|retire` and `loket notice publish|end|list`, on a real database:
the same four eyes and audit log as the editor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.cli import main
from bot.settings import Settings
from bot.tables import AuditRow
from knowledge_base import editorial, notices, store
from knowledge_base.editorial import Content


@pytest.fixture(autouse=True)
def data_dir(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LOKET_CONFIG_FILE", str(settings.data_dir / "none.env"))


def audited(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(AuditRow.actor, AuditRow.action, AuditRow.target).order_by(AuditRow.id)
        ).all()
    return [(a, b, c) for a, b, c in rows]


def answering(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return store.answerable_versions(session)


def test_a_version_is_published_from_the_command_line_by_someone_else(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(engine) as session, session.begin():
        draft = editorial.save_draft(
            session,
            None,
            Content("afval", {"nl": ["Mag de kerstboom bij het grofvuil?"]}, {"nl": "Ja."}),
            "cli:anna",
        )
    assert main(["kb", "publish", draft.entry_id, "--actor", "anna"]) == 1
    assert "someone else must approve it" in capsys.readouterr().err
    assert draft.entry_id not in answering(engine)
    assert main(["kb", "publish", draft.entry_id, "--actor", "bob"]) == 0
    assert "written by cli:anna" in capsys.readouterr().out
    assert answering(engine)[draft.entry_id] == 1

    with Session(engine) as session, session.begin():
        editorial.save_draft(
            session,
            draft.entry_id,
            Content("afval", {"nl": ["Kerstboom?"]}, {"nl": "Nee."}),
            "cli:anna",
            1,
        )
    assert main(["kb", "publish", draft.entry_id, "--actor", "bob"]) == 0
    assert main(["kb", "rollback", draft.entry_id, "--to", "1", "--actor", "bob"]) == 0
    assert answering(engine)[draft.entry_id] == 3
    assert main(["kb", "retire", draft.entry_id, "--actor", "bob"]) == 0
    assert draft.entry_id not in answering(engine)
    target = draft.entry_id
    assert audited(engine) == [
        ("cli:anna", "kb.approve.refused", target),
        ("cli:bob", "kb.submit", f"{target}@1"),
        ("cli:bob", "kb.approve", f"{target}@1"),
        ("cli:bob", "kb.submit", f"{target}@2"),
        ("cli:bob", "kb.approve", f"{target}@2"),
        ("cli:bob", "kb.rollback", f"{target}@3"),
        ("cli:bob", "kb.retire", target),
    ]


def test_notices_from_the_command_line(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    title = ["--title", "Stroomstoring in het centrum", "--text", "Er is geen stroom."]
    assert main(["notice", "publish", *title, "--hours", "2", "--actor", "anna"]) == 0
    assert "waits for approval: loket notice publish 1" in capsys.readouterr().out
    assert main(["notice", "publish", "1", "--actor", "anna"]) == 1
    assert main(["notice", "publish", "1", "--actor", "bob"]) == 0
    now = datetime.now(UTC)
    with Session(engine) as session:
        (live,) = notices.current(session, now)
    assert (live.approved_by, live.urgent) == ("cli:bob", False)
    assert live.content.ends_at - live.content.starts_at == timedelta(hours=2)

    until = (now + timedelta(hours=1)).isoformat()
    urgent = ["--title", "Gaslek Kerkstraat", "--text", "Blijf binnen.", "--until", until]
    assert main(["notice", "publish", *urgent, "--urgent", "--actor", "carla"]) == 0
    assert main(["notice", "end", "1", "--actor", "bob"]) == 0
    capsys.readouterr()
    assert main(["notice", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["notices"]
    assert [(n["id"], n["state"], n["urgent"]) for n in listed] == [
        (2, "live", True),
        (1, "ended", False),
    ]
    assert main(["notice", "publish", *title, "--until", "2026-12-01T18:00"]) == 1
    assert "offset" in capsys.readouterr().err
    actions = [(actor, action) for actor, action, _ in audited(engine)]
    assert actions == [
        ("cli:anna", "notice.draft"),
        ("cli:anna", "notice.submit"),
        ("cli:anna", "notice.publish.refused"),
        ("cli:bob", "notice.publish"),
        ("cli:carla", "notice.draft"),
        ("cli:carla", "notice.publish"),
        ("cli:bob", "notice.end"),
    ]
