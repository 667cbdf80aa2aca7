"""`loket kb publish|rollback|retire` and `loket notice publish|end|list`, on a real database:
the same four eyes and audit log as the editor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.cli import main
from bot.database import make_engine
from bot.settings import Settings
from bot.tables import AuditRow
from knowledge_base import editorial, notices, store, wordings
from knowledge_base.editorial import Content
from knowledge_base.entries import Status
from knowledge_base.seed import read_seed


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


def approved_in(data_dir: Path) -> tuple[dict[str, tuple[str, ...]], list[wordings.Wording]]:
    """The wordings in use and those proposed in another installation's database."""
    settings = Settings(data_dir=data_dir, _env_file=None)
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        found = wordings.approved(session), wordings.proposed(session)
    engine.dispose()
    return found


def test_residents_wordings_travel_with_an_export_and_an_import(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    entries = read_seed(settings.kb_seed_file)[:3]
    with Session(engine) as session, session.begin():
        store.import_entries(session, entries, Status.PUBLISHED)
        proposed = wordings.propose(session, entries[1].id, "hoe zit dat nou", "staff:carl")
        wordings.approve(session, proposed.id, "staff:bob")
        wordings.propose(session, entries[2].id, "nog niet goedgekeurd", "staff:carl")
    exported = tmp_path / "export.yml"
    assert main(["kb", "export", "--out", str(exported)]) == 0
    document = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert {entry["id"]: entry.get("wordings") for entry in document["entries"]} == {
        entries[0].id: None,
        entries[1].id: ["hoe zit dat nou"],
        entries[2].id: None,
    }

    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("LOKET_DATA_DIR", str(elsewhere))
    assert main(["kb", "import", str(exported), "--publish"]) == 0
    assert "1 residents' wordings" in capsys.readouterr().out
    assert approved_in(elsewhere) == ({entries[1].id: ("hoe zit dat nou",)}, [])

    document["entries"][0]["wordings"] = ["bel me op 06-12345678"]
    leaking = tmp_path / "leaking.yml"
    leaking.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert main(["kb", "import", str(leaking), "--publish"]) == 1
    assert "without a phone number" in capsys.readouterr().err
    assert approved_in(elsewhere) == ({entries[1].id: ("hoe zit dat nou",)}, [])
