from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from bot.database import _alembic_config, make_engine, migrate


def test_migrations_keep_existing_conversations(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO conversation (id, channel, state, language, created_at) "
                "VALUES ('c1', 'webchat', 'bot', 'nl', '2026-11-21 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO message (conversation_id, channel, direction, sender, text,"
                " created_at)"
                " VALUES ('c1', 'webchat', 'in', 'resident', 'hoi', '2026-11-21 10:00:00')"
            )
        )
    migrate(engine)
    migrate(engine)  # a second run does nothing
    with engine.connect() as connection:
        assert connection.execute(text("SELECT channel_key FROM conversation")).scalar() == "c1"
        assert connection.execute(text("SELECT count(*) FROM message")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_existing_entry_versions_keep_their_topic_when_versions_get_one(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        connection.execute(
            text(
                "INSERT INTO kb_entry (id, topic, created_at)"
                " VALUES ('grofvuil', 'waste', '2026-11-21 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO kb_entry_version (entry_id, version, status, questions, answers,"
                " source_url, owner, created_at) VALUES ('grofvuil', 1, 'published',"
                " '{\"nl\": [\"Grofvuil?\"]}', '{\"nl\": \"Bel ons.\"}', '', '',"
                " '2026-11-21 10:00:00')"
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT topic, author FROM kb_entry_version")).one()
        revisions = connection.execute(text("SELECT name FROM live_revision ORDER BY name")).all()
    assert tuple(row) == ("waste", "")
    assert [r[0] for r in revisions] == ["knowledge_base", "notices"]
    engine.dispose()
