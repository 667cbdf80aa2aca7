"""In-process fan-out of live events (new messages) to whoever listens on a topic."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Final, Protocol

QUEUE_SIZE: Final = 256


class Hub(Protocol):
    """Where live events are published and listened to: this process's EventHub, or Redis's
    fan-out between processes."""

    def publish(self, topic: str, event: dict[str, Any]) -> None: ...

    def publish_local(self, topic: str, event: dict[str, Any]) -> None:
        """To this process's listeners only."""
        ...

    def listen(
        self, *topics: str
    ) -> AbstractAsyncContextManager[asyncio.Queue[dict[str, Any] | None]]: ...


class EventHub:
    """Topics are conversation ids. A listener that cannot keep up is cut off, not waited for:
    its stream ends and the client reconnects, fetching what it missed from the archive."""

    def __init__(self) -> None:
        self._listeners: defaultdict[str, set[asyncio.Queue[dict[str, Any] | None]]] = defaultdict(
            set
        )

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._listeners.get(topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                for listeners in self._listeners.values():
                    listeners.discard(queue)
                queue.get_nowait()
                queue.put_nowait(None)

    publish_local = publish

    @asynccontextmanager
    async def listen(self, *topics: str) -> AsyncIterator[asyncio.Queue[dict[str, Any] | None]]:
        """One queue with the events of every topic in `topics`."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_SIZE)
        for topic in topics:
            self._listeners[topic].add(queue)
        try:
            yield queue
        finally:
            for topic in topics:
                self._listeners[topic].discard(queue)
                if not self._listeners[topic]:
                    del self._listeners[topic]
