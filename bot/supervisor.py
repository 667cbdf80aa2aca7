"""Starts Rasa as a child process, waits until its model is loaded, restarts it when it dies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from bot.errors import ServiceUnavailable
from bot.rasa_client import RasaClient

logger = logging.getLogger(__name__)

RESTART_DELAYS: Final = (1.0, 2.0, 5.0, 10.0, 30.0)
STOP_GRACE_SECONDS: Final = 10.0


class RasaStartError(ServiceUnavailable):
    code = "rasa_start_failed"


class RasaSupervisor:
    def __init__(
        self,
        command: str,
        project_dir: Path,
        model: Path,
        rasa_url: str,
        action_url: str,
        run_dir: Path,
        start_timeout: float,
    ) -> None:
        self.command = command
        self.project_dir = project_dir
        self.model = model
        self.rasa_url = rasa_url
        self.action_url = action_url
        self.run_dir = run_dir
        self.start_timeout = start_timeout
        self.restarts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._stopping = False
        self._watcher: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return urlsplit(self.rasa_url).port or 5005

    def _write_endpoints(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        path = self.run_dir / f"endpoints-{self.port}.yml"
        path.write_text(f"action_endpoint:\n  url: {self.action_url}\n", encoding="utf-8")
        return path

    def _check_installed(self) -> None:
        if not Path(self.command).exists():
            raise RasaStartError(f"Rasa is not installed at {self.command}: run 'make run'")
        if not self.model.exists():
            raise RasaStartError(f"No trained Rasa model at {self.model}: run 'make run'")

    async def _spawn(self) -> None:
        self._check_installed()
        endpoints = self._write_endpoints()
        log = (self.run_dir / f"rasa-{self.port}.log").open("ab")
        env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
        # Its own session: a Ctrl-C in the terminal reaches loket, which then stops Rasa in order.
        self._process = await asyncio.create_subprocess_exec(
            self.command,
            "run",
            "--enable-api",
            "--interface",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--model",
            str(self.model),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(self.project_dir / "credentials.yml"),
            cwd=self.project_dir,
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=True,
        )
        log.close()
        logger.info("Started Rasa (pid %d) on port %d", self._process.pid, self.port)

    async def _wait_ready(self) -> None:
        client = RasaClient(self.rasa_url, timeout=5.0)
        deadline = time.monotonic() + self.start_timeout
        try:
            while time.monotonic() < deadline:
                if self._process is None or self._process.returncode is not None:
                    raise RasaStartError(f"Rasa exited while starting; see {self.run_dir}")
                if await client.is_ready():
                    return
                await asyncio.sleep(0.5)
        finally:
            await client.aclose()
        raise RasaStartError(f"Rasa was not ready within {self.start_timeout:.0f} s")

    async def start(self) -> None:
        """Start Rasa and return once it answers with its model loaded."""
        started = time.monotonic()
        await self._spawn()
        try:
            await self._wait_ready()
        except RasaStartError:
            await self._terminate()
            raise
        logger.info("Rasa is ready after %.1f s", time.monotonic() - started)
        self._watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while not self._stopping:
            assert self._process is not None
            code = await self._process.wait()
            if self._stopping:
                return
            delay = RESTART_DELAYS[min(self.restarts, len(RESTART_DELAYS) - 1)]
            logger.error("Rasa exited with code %s; restarting in %.0f s", code, delay)
            await asyncio.sleep(delay)
            self.restarts += 1
            try:
                await self._spawn()
                await self._wait_ready()
            except RasaStartError as error:
                logger.error("Rasa restart failed: %s", error.message)

    async def _terminate(self) -> None:
        process = self._process
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
        logger.info("Rasa stopped")
