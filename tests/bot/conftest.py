from __future__ import annotations

from sqlalchemy import create_engine, select

from bot.settings import Settings
from bot.tables import MessageRow


def stored(settings: Settings) -> list[tuple[str, str]]:
    """(direction, text) of every archived message, oldest first."""
    engine = create_engine(settings.sqlalchemy_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(MessageRow.direction, MessageRow.text).order_by(MessageRow.id)
        ).all()
    engine.dispose()
    return [(direction, text) for direction, text in rows]
