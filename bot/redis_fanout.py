"""Live events across several loket processes: every event goes through one Redis channel, and
each process hands what it receives to its own listeners (web chat streams, agents' consoles).

Events are published in the order they were made, by one sender task per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Final

import redis as sync_redis
import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.events import EventHub

logger = logging.getLogger(__name__)

CHANNEL: Final = "loket:events"
RETRY_SECONDS: Final = 1.0


class RedisEventHub:
    """Has EventHub's `publish` and `listen`; `start()` and `stop()` run its two tasks."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self._client = redis.Redis.from_url(url)
        self._channel = channel
        self._local = EventHub()
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        self._outbox.put_nowait(json.dumps({"topic": topic, "event": event}))

    def publish_local(self, topic: str, event: dict[str, Any]) -> None:
        self._local.publish(topic, event)

    def listen(
        self, *topics: str
    ) -> AbstractAsyncContextManager[asyncio.Queue[dict[str, Any] | None]]:
        return self._local.listen(*topics)

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._receive()),
            asyncio.create_task(self._send()),
        ]
        await asyncio.wait_for(self._subscribed.wait(), timeout=10)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._client.aclose()

    async def _send(self) -> None:
        while True:
            message = await self._outbox.get()
            while True:
                try:
                    await self._client.publish(self._channel, message)
                    break
                except RedisError as error:
                    logger.warning("Redis did not take a live event: %s", type(error).__name__)
                    await asyncio.sleep(RETRY_SECONDS)

    async def _receive(self) -> None:
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            data = json.loads(message["data"])
                            self._local.publish(data["topic"], data["event"])
            except RedisError as error:
                logger.warning("Live events from Redis interrupted: %s", type(error).__name__)
                await asyncio.sleep(RETRY_SECONDS)


@asynccontextmanager
async def running(hub: RedisEventHub) -> AsyncIterator[RedisEventHub]:
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


def publish_once(url: str, topic: str, event: dict[str, Any], channel: str = CHANNEL) -> None:
    """One live event from a process that runs no hub (a command), as a hub would send it;
    nothing happens when Redis is unreachable (the processes also look by themselves)."""
    client = sync_redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.publish(channel, json.dumps({"topic": topic, "event": event}))
    except RedisError as error:
        logger.warning("Redis did not take a live event: %s", type(error).__name__)
    finally:
        client.close()
