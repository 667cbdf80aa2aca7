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

    def listen(
        self, topic: str
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
                self._listeners[topic].discard(queue)
                queue.get_nowait()
                queue.put_nowait(None)

    @asynccontextmanager
    async def listen(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any] | None]]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_SIZE)
        self._listeners[topic].add(queue)
        try:
            yield queue
        finally:
            self._listeners[topic].discard(queue)
            if not self._listeners[topic]:
                del self._listeners[topic]
