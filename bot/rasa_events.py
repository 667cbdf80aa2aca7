"""Rasa's copy of the conversations: the table `events` of its SQL tracker store.

Rasa keeps every event of a conversation, the resident's words unmasked among them, under the
conversation id loket sends it as the sender. The archive is the record; Rasa needs only a
conversation's latest session. So what the archive destroys (retention, erasure) goes from
Rasa's table too, and everything older than `rasa_tracker_retention_days` goes anyway.

With no SQL tracker store (development) Rasa keeps its trackers in memory, lost at a restart;
there is nothing loket could reach, and the reports say so with `None` instead of a count.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import make_url

from bot.settings import Settings

events = Table(
    "events",
    MetaData(),
    # As Rasa 3.6's SQLTrackerStore.SQLEvent declares it; Rasa creates the table, never loket.
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

_BATCH = 1000
"""Sender ids per statement: a purge may destroy many conversations at once."""


def engine_url(url: str) -> str:
    """Rasa's tracker store URL with the driver loket has (psycopg 3): the setting may name
    none, which SQLAlchemy reads as psycopg2, Rasa's own driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class RasaEvents:
    """Deletes from Rasa's table within one transaction of the tracker store."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        # Rasa creates its table when it first starts on this database; until then it holds
        # nothing of anyone.
        self._exists = inspect(connection).has_table(events.name)

    def _remove(self, condition: ColumnElement[bool], dry_run: bool) -> int:
        if not self._exists:
            return 0
        if dry_run:
            count = self._connection.scalar(
                select(func.count()).select_from(events).where(condition)
            )
            return count or 0
        result = self._connection.execute(delete(events).where(condition))
        return result.rowcount

    def forget(self, sender_ids: Collection[str], dry_run: bool = False) -> int:
        """Remove every event of these conversations; how many there were."""
        ids = sorted(set(sender_ids))
        return sum(
            self._remove(events.c.sender_id.in_(ids[start : start + _BATCH]), dry_run)
            for start in range(0, len(ids), _BATCH)
        )

    def expire(self, before: datetime, keep: Collection[str], dry_run: bool = False) -> int:
        """Remove every event from before `before` (aware), except those of the conversations
        in `keep`; how many there were."""
        condition = events.c.timestamp < before.timestamp()
        if keep:
            condition = condition & events.c.sender_id.not_in(sorted(set(keep)))
        return self._remove(condition, dry_run)


@contextmanager
def opened(settings: Settings) -> Iterator[RasaEvents | None]:
    """Rasa's events in the tracker store the settings give Rasa, None when Rasa keeps them in
    memory. The deletions commit when the block ends without an error, so inside the archive's
    transaction, before it: should the archive's commit fail after, Rasa has lost only a copy
    and the next run destroys the conversation again; the other way round, a destruction report
    would claim what Rasa still holds."""
    url = settings.rasa_tracker_store
    if not url:
        yield None
        return
    engine = create_engine(engine_url(url), pool_pre_ping=True)
    try:
        with engine.begin() as connection:
            yield RasaEvents(connection)
    finally:
        engine.dispose()
