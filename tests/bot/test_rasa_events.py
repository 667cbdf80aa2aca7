"""Purge and erasure reach Rasa's copy of the conversations: its tracker store's table `events`,
on the machine's real PostgreSQL (database `test`, a schema of its own per test)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from bot.cli import main
from bot.database import make_engine, migrate
from bot.settings import Settings
from bot.tables import DestructionRow
from tests.bot.conftest import add_conversation

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DAY = 86400.0

# What Rasa 3.6's SQLTrackerStore creates (SQLEvent, with its sequence), written out here so the
# test does not take loket's own declaration of the table on trust.
RASA_EVENTS_DDL = (
    "CREATE SEQUENCE events_seq",
    "CREATE TABLE events ("
    " id INTEGER DEFAULT nextval('events_seq') NOT NULL PRIMARY KEY,"
    " sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,"
    " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)",
    "CREATE INDEX ix_events_sender_id ON events (sender_id)",
)


@pytest.fixture
def schemas() -> Iterator[list[str]]:
    """Makes throwaway schemas on request (append a name), dropped after the test."""
    made: list[str] = []
    yield made
    admin = create_engine(SERVER)
    with admin.begin() as connection:
        for schema in made:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def new_schema(schemas: list[str]) -> str:
    schema = f"loket_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    schemas.append(schema)
    return schema


def in_schema(schema: str, server: str = SERVER) -> str:
    return f"{server}?options=-csearch_path%3D{schema}"


@pytest.fixture
def pg(settings: Settings, schemas: list[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Loket's database on PostgreSQL, where Rasa's tracker store is too (the default)."""
    url = in_schema(new_schema(schemas))
    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LOKET_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


def rasa_table(engine: Engine) -> None:
    with engine.begin() as connection:
        for statement in RASA_EVENTS_DDL:
            connection.execute(text(statement))


def rasa_said(engine: Engine, sender_id: str, *ages_in_days: float) -> None:
    """Rasa's events of one conversation, as it writes them: a user message with its text."""
    with engine.begin() as connection:
        for age in ages_in_days:
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) "
                    "VALUES (:sender, 'user', :at, 'ask', :data)"
                ),
                {
                    "sender": sender_id,
                    "at": time.time() - age * DAY,
                    "data": json.dumps({"event": "user", "text": "Mijn BSN is 111222333"}),
                },
            )


def rasa_ages(engine: Engine) -> dict[str, list[int]]:
    """Per sender, the age in whole days of each event Rasa still has."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, timestamp FROM events ORDER BY id"))
        found: dict[str, list[int]] = {}
        for sender, at in rows:
            found.setdefault(sender, []).append(round((time.time() - at) / DAY))
    return found


def last_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    result: dict[str, object] = json.loads(capsys.readouterr().out.splitlines()[-1])
    return result


def test_purge_removes_rasas_events_of_destroyed_and_old_conversations_but_not_held_ones(
    pg: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    year_ago = datetime.now(UTC) - timedelta(days=400)
    expired = add_conversation(pg, ("resident", "a"), ("bot", "b"), at=year_ago)
    held = add_conversation(pg, ("resident", "c"), ("bot", "d"), at=year_ago)
    recent = add_conversation(pg, ("resident", "e"), at=datetime.now(UTC) - timedelta(days=40))
    assert main(["archive", "hold", held, "--reason", "Woo-verzoek 2026-17"]) == 0
    rasa_table(pg)
    rasa_said(pg, expired, 400, 400)
    rasa_said(pg, held, 400, 2)
    rasa_said(pg, recent, 40, 1)
    rasa_said(pg, "not-in-the-archive", 31, 29)

    assert main(["archive", "purge", "--dry-run", "--json"]) == 0
    dry = last_json(capsys)
    assert dry["destroyed"] == [expired]
    assert dry["rasa_events"] == 4  # both of `expired`, the old ones of `recent` and the other
    assert sum(len(ages) for ages in rasa_ages(pg).values()) == 8

    assert main(["archive", "purge", "--json"]) == 0
    out = capsys.readouterr().out
    assert "Rasa's tracker store: 4 events destroyed" in out
    assert json.loads(out.splitlines()[-1])["rasa_events"] == 4
    assert rasa_ages(pg) == {held: [400, 2], recent: [1], "not-in-the-archive": [29]}
    with Session(pg) as session:
        report = session.query(DestructionRow).one()
        assert (report.conversation_id, report.rasa_events) == (expired, 2)

    assert main(["archive", "hold", held, "--release"]) == 0
    assert main(["archive", "purge", "--json"]) == 0
    assert last_json(capsys)["rasa_events"] == 2
    assert rasa_ages(pg) == {recent: [1], "not-in-the-archive": [29]}


def test_erasure_removes_rasas_events_of_what_it_erases_only(
    pg: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    subject = ["--channel", "telegram", "--user-id", "4242"]
    week_ago = datetime.now(UTC) - timedelta(days=7)
    erasable = add_conversation(pg, ("resident", "Mijn BSN is 111222333"), at=week_ago)
    held = add_conversation(pg, ("resident", "Bezwaar"), at=week_ago)
    someone_else = add_conversation(pg, ("resident", "hoi"), user_id="777")
    assert main(["archive", "hold", held, "--reason", "Woo-verzoek 2026-17"]) == 0
    rasa_table(pg)
    rasa_said(pg, erasable, 7, 7, 6)
    rasa_said(pg, held, 7)
    rasa_said(pg, someone_else, 0)

    assert main(["archive", "subject", "erase", *subject, "--dry-run", "--json"]) == 0
    dry = last_json(capsys)
    assert (dry["erased"], dry["rasa_events"]) == ([erasable], 3)
    assert len(rasa_ages(pg)) == 3

    assert main(["archive", "subject", "erase", *subject, "--json"]) == 0
    erasure = last_json(capsys)
    assert (erasure["erased"], erasure["rasa_events"]) == ([erasable], 3)
    assert erasure["kept"] == {held: ["legal hold"]}
    assert rasa_ages(pg) == {held: [7], someone_else: [0]}

    assert main(["archive", "subject", "export", *subject]) == 0
    access = json.loads(capsys.readouterr().out)
    assert [(d["conversation_id"], d["rasa_events"]) for d in access["destroyed"]] == [
        (erasable, 3)
    ]


def test_a_tracker_store_of_its_own_given_as_rasa_names_it(
    pg: Engine,
    schemas: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # As an operator writes it for Rasa: no driver, which SQLAlchemy would read as psycopg2.
    tracker_url = in_schema(new_schema(schemas), "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("LOKET_RASA_TRACKER_STORE_URL", tracker_url)
    gone = add_conversation(pg, ("resident", "a"), at=datetime.now(UTC) - timedelta(days=400))

    assert main(["archive", "purge", "--json"]) == 0  # before Rasa ever made its table
    assert last_json(capsys)["rasa_events"] == 0

    tracker = make_engine(tracker_url.replace("postgresql://", "postgresql+psycopg://"))
    rasa_table(tracker)
    rasa_said(tracker, gone, 1)
    rasa_table(pg)  # the application database's own table is not Rasa's now
    rasa_said(pg, gone, 1)
    erased = add_conversation(pg, ("resident", "b"), user_id="99")
    rasa_said(tracker, erased, 0, 0)
    assert main(["archive", "subject", "erase", "--channel", "telegram", "--user-id", "99"]) == 0
    assert "Rasa's tracker store: 2 events erased" in capsys.readouterr().out
    assert rasa_ages(tracker) == {gone: [1]}
    assert rasa_ages(pg) == {gone: [1]}
    tracker.dispose()


def test_without_a_sql_tracker_store_the_report_says_rasa_kept_nothing_reachable(
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
    add_conversation(engine, ("resident", "a"), at=datetime.now(UTC) - timedelta(days=400))
    assert main(["archive", "purge", "--json"]) == 0
    out = capsys.readouterr().out
    assert "Rasa's tracker store: none (Rasa keeps conversations in memory)" in out
    assert json.loads(out.splitlines()[-1])["rasa_events"] is None
    with Session(engine) as session:
        assert session.query(DestructionRow.rasa_events).scalar() is None
