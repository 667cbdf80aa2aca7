"""The production database: the same migrations, console and archive on the machine's real
PostgreSQL (127.0.0.1:5432, database `test`), in a schema of its own that is dropped after."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bot import sealing
from bot.app import create_app
from bot.database import make_engine, migrate
from bot.settings import Settings
from bot.tables import Base
from knowledge_base import store, wordings
from knowledge_base.embeddings import Encoder
from knowledge_base.entries import Entry, Status
from knowledge_base.errors import WrongState
from knowledge_base.tables import Base as KnowledgeBase
from tests.bot.conftest import add_user, login, resident

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_settings(settings: Settings) -> Iterator[Settings]:
    schema = f"loket_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield settings.model_copy(
        update={
            "database_url": f"{SERVER}?options=-csearch_path%3D{schema}",
            "rasa_url": "http://127.0.0.1:9",
        }
    )
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_migrations_and_a_handed_off_conversation_on_postgresql(
    pg_settings: Settings, encoder: Encoder
) -> None:
    with TestClient(create_app(pg_settings, encoder)) as client:
        engine = client.app.state.services.engine  # type: ignore[attr-defined]
        assert engine.dialect.name == "postgresql"
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, [Base.metadata, KnowledgeBase.metadata]) == []

        add_user(engine, "anna", {"agent"})
        agent = login(client, "anna")
        resident_auth, conversation_id = resident(client)
        url = f"/api/console/conversations/{conversation_id}"
        assert client.post(f"{url}/take", headers=agent).status_code == 200
        said = client.post(
            "/api/webchat/messages", headers=resident_auth, json={"text": "Mijn BSN is 111222333"}
        )
        assert said.status_code == 200
        answer = client.post(f"{url}/messages", headers=agent, json={"text": "Dank u, Anna hier."})
        assert answer.status_code == 201

        transcript = client.get(url, headers=agent).json()["messages"]
        assert [m["text"] for m in transcript] == [
            "handoff:taken",
            "Mijn BSN is [BSN]",
            "Dank u, Anna hier.",
        ]
        with Session(engine) as session:
            report = sealing.verify(session)
            assert report.broken == []
            assert report.messages == 3  # the take is in the chain
        readiness = client.get("/readyz").json()["checks"]
        assert readiness == {"database": True, "rasa": False}


def test_the_same_wording_proposed_at_the_same_moment_is_refused_once(
    pg_settings: Settings,
) -> None:
    engine = make_engine(pg_settings.sqlalchemy_url)
    migrate(engine)
    entry = Entry("zandzakken", 1, "crisis", {"nl": ["Waar haal ik zandzakken?"]}, {"nl": "Werf."})
    with Session(engine) as session, session.begin():
        store.import_entries(session, [entry], Status.PUBLISHED)
    outcome: list[str] = []

    def second() -> None:  # waits for the first proposal's transaction, then finds its row
        try:
            with Session(engine) as session, session.begin():
                wordings.propose(session, entry.id, "zakken zand halen", "staff:anna")
            outcome.append("proposed")
        except WrongState as error:
            outcome.append(str(error))

    meanwhile = threading.Thread(target=second)
    with Session(engine) as first:
        with first.begin():
            wordings.propose(first, entry.id, "zakken zand halen", "staff:carl")
            meanwhile.start()
            meanwhile.join(timeout=1.0)
            assert meanwhile.is_alive()  # blocked on the first proposal's row
        meanwhile.join(timeout=10)
    assert outcome == ["This wording of 'zandzakken' was proposed meanwhile"]
    with Session(engine) as session:
        assert [w.proposed_by for w in wordings.of_entry(session, entry.id)] == ["staff:carl"]
    engine.dispose()
