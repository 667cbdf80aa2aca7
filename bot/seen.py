"""Ids of webhook deliveries handled a short while ago, so a platform's retry is answered at once
without touching the database. The archive's unique external id stays the real guard (it also
holds across processes and restarts); this only spares it the common case."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

TTL_SECONDS: Final = 3600.0
"""Telegram retries an unanswered update for about an hour."""
MAX_IDS: Final = 100_000


class SeenSet:
    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        max_ids: int = MAX_IDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_ids
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._seen and (
            len(self._seen) > self._max or next(iter(self._seen.values())) <= now - self._ttl
        ):
            self._seen.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        self._expire(self._clock())
        return key in self._seen

    def add(self, key: str) -> None:
        """Mark as handled: call only after the delivery was handled, so a failed one that the
        platform retries is handled then."""
        self._seen[key] = self._clock()
        self._seen.move_to_end(key)
        self._expire(self._clock())
