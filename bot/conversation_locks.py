"""One message at a time per conversation, in order: within this process (asyncio locks), and
with Redis across several loket processes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Final, Protocol

import redis.asyncio as redis
from redis.exceptions import LockError, RedisError

from bot.errors import ServiceUnavailable

LOCK_SECONDS: Final = 120.0
"""A lock outlives a crashed holder by this long at most; a turn (Rasa's answer included) is far
shorter."""
WAIT_SECONDS: Final = 60.0


class ConversationLocks(Protocol):
    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...


class LocalLocks:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class RedisLocks:
    """A local lock first (fair and cheap for this process's own queue), then Redis's.
    Redis unreachable is a 503: the platform sends the message again, nothing is lost."""

    def __init__(self, url: str, prefix: str = "loket:lock:") -> None:
        self._client = redis.Redis.from_url(url)
        self._prefix = prefix
        self._local = LocalLocks()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with self._local.hold(key):
            lock = self._client.lock(
                self._prefix + key, timeout=LOCK_SECONDS, blocking_timeout=WAIT_SECONDS
            )
            try:
                acquired = await lock.acquire()
            except RedisError as error:
                raise ServiceUnavailable("Redis is not reachable right now") from error
            if not acquired:
                raise ServiceUnavailable("The conversation is busy; try again shortly")
            try:
                yield
            finally:
                # Expired or Redis gone: the lock lapses by itself.
                with contextlib.suppress(LockError, RedisError):
                    await lock.release()

    async def aclose(self) -> None:
        await self._client.aclose()
