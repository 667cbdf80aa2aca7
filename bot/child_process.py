"""A child process that `loket run` keeps alive: restarted when it dies, stopped in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from abc import ABC, abstractmethod
from typing import Final

from bot.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

RESTART_DELAYS: Final = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Pauses before each restart while the process keeps dying: a broken process is not restarted
in a tight loop, a single crash costs a second."""
STABLE_SECONDS: Final = 60.0
"""A process that served this long before it died starts again from the shortest pause."""
STOP_GRACE_SECONDS: Final = 10.0


class ChildProcess(ABC):
    """Subclasses say how to start their process (`_launch`); this class restarts it when it
    dies and stops it with SIGTERM, then SIGKILL after a grace period.

    Children run in their own session (`start_new_session=True`), so a Ctrl-C at the terminal
    reaches only the parent, which then stops them in order; the signal goes to the child's
    whole process group."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.restarts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._stopping = False
        self._watcher: asyncio.Task[None] | None = None

    @abstractmethod
    async def _launch(self) -> asyncio.subprocess.Process:
        """Start the process and return it once it serves; raise ServiceUnavailable if it
        does not (after stopping whatever was started)."""

    async def start(self) -> None:
        self._process = await self._launch()
        self._watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        failures = 0
        while not self._stopping:
            assert self._process is not None
            serving_since = time.monotonic()
            code = await self._process.wait()
            if self._stopping:
                return
            if time.monotonic() - serving_since >= STABLE_SECONDS:
                failures = 0
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
            logger.error("%s exited with code %s; restarting in %.0f s", self.name, code, delay)
            await asyncio.sleep(delay)
            failures += 1
            self.restarts += 1
            try:
                self._process = await self._launch()
            except ServiceUnavailable as error:
                logger.error("%s did not restart: %s", self.name, error.message)

    async def _terminate(self, process: asyncio.subprocess.Process | None = None) -> None:
        process = process or self._process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()

    async def stop(self) -> None:
        self._stopping = True
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await self._terminate()
