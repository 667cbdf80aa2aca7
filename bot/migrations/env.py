"""Alembic environment: the connection comes from `bot.database.migrate`, never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.tables import Base as ArchiveBase
from knowledge_base.tables import Base as KnowledgeBase

target_metadata = [ArchiveBase.metadata, KnowledgeBase.metadata]


def run_migrations_online() -> None:
    connection: Connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
