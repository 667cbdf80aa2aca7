"""Knowledge-base changes and crisis notices reach every loket process within a second.

Each process follows the revision counters (`knowledge_base.live`) a few times a second, and at
once when a live event says something changed (through Redis from another process, or from this
one). When the set of live notices changes, by an editor or because one started or ended, the
process tells its own web chat streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

from sqlalchemy.exc import SQLAlchemyError

from bot.events import Hub
from knowledge_base.notices import Notice
from knowledge_base.service import KnowledgeBase

logger = logging.getLogger(__name__)

CHANGES_TOPIC: Final = "changes"
"""Says that the knowledge base or the notices changed: look now rather than at the next tick."""
NOTICES_TOPIC: Final = "notices"
"""This process's live notices, as the web chat shows them, whenever they change."""


def announce(hub: Hub, what: str) -> None:
    """Wake every process's follower (`what`: a name from `knowledge_base.live`)."""
    hub.publish(CHANGES_TOPIC, {"changed": what})


def notices_event(notices: list[Notice]) -> dict[str, Any]:
    return {"notices": [notice.public_json() for notice in notices]}


async def follow(
    knowledge_base: KnowledgeBase,
    hub: Hub,
    every_seconds: float,
    push: Callable[[Notice], Coroutine[Any, Any, object]] | None = None,
) -> None:
    """Follow the changes until cancelled; `push` sends a notice that asks for it to recent
    residents (it claims the notice first, so one process of many does)."""
    shown: tuple[tuple[int, str], ...] | None = None
    pushing: set[asyncio.Task[object]] = set()
    tried: set[int] = set()
    while True:
        async with hub.listen(CHANGES_TOPIC) as wake:
            while True:
                with contextlib.suppress(TimeoutError):
                    if await asyncio.wait_for(wake.get(), every_seconds) is None:
                        break  # cut off for falling behind: listen again
                try:
                    await asyncio.to_thread(knowledge_base.refresh)
                except SQLAlchemyError as error:
                    logger.warning("Changes not picked up: %s", type(error).__name__)
                live = knowledge_base.notices.live()
                now_shown = tuple((n.id, n.content.ends_at.isoformat()) for n in live)
                if now_shown != shown:
                    shown = now_shown
                    hub.publish_local(NOTICES_TOPIC, notices_event(live))
                for notice in live:
                    if push and notice.content.push_hours and notice.id not in tried:
                        tried.add(notice.id)
                        task = asyncio.create_task(push(notice))
                        pushing.add(task)
                        task.add_done_callback(pushing.discard)
