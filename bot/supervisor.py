"""Starts Rasa as a child process, waits until its model is loaded, restarts it when it dies."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.child_process import ChildProcess
from bot.errors import ServiceUnavailable
from bot.rasa_client import RasaClient
from bot.settings import Settings

logger = logging.getLogger(__name__)

TRACKER_STORE_CREDENTIAL: Final = "LOKET_RASA_TRACKER_STORE_CREDENTIAL"
LOCK_STORE_CREDENTIAL: Final = "LOKET_RASA_LOCK_STORE_CREDENTIAL"
"""Rasa reads the stores' passwords from these variables of its environment (its endpoints file
says `${...}`), so no password is written to disk."""


class RasaStartError(ServiceUnavailable):
    code = "rasa_start_failed"


def rasa_endpoints(
    action_url: str, tracker_store_url: str = "", lock_store_url: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """Rasa's endpoints configuration and the secrets its environment needs for it.

    `tracker_store_url` is a PostgreSQL URL in SQLAlchemy's form (any driver: Rasa uses its own
    psycopg2); `lock_store_url` a Redis URL. Empty ones leave Rasa's in-memory stores.
    """
    endpoints: dict[str, Any] = {"action_endpoint": {"url": action_url}}
    secrets: dict[str, str] = {}
    if tracker_store_url:
        url = make_url(tracker_store_url)
        tracker: dict[str, Any] = {"type": "SQL", "dialect": "postgresql", "db": url.database}
        if url.host:
            tracker["url"] = url.host
        if url.port:
            tracker["port"] = url.port
        if url.username:
            tracker["username"] = url.username
        if url.password:
            tracker["password"] = f"${{{TRACKER_STORE_CREDENTIAL}}}"
            secrets[TRACKER_STORE_CREDENTIAL] = str(url.password)
        if url.query:
            tracker["query"] = {
                key: value if isinstance(value, str) else value[-1]
                for key, value in url.query.items()
            }
        endpoints["tracker_store"] = tracker
    if lock_store_url:
        redis_url = urlsplit(lock_store_url)
        # Rasa's keys become `rasa:lock:<conversation>`, apart from loket's own `loket:lock:`.
        lock: dict[str, Any] = {
            "type": "redis",
            "url": redis_url.hostname or "127.0.0.1",
            "port": redis_url.port or 6379,
            "db": int(redis_url.path.strip("/") or 0),
            "key_prefix": "rasa",
            "use_ssl": redis_url.scheme == "rediss",
        }
        if redis_url.password:
            lock["password"] = f"${{{LOCK_STORE_CREDENTIAL}}}"
            secrets[LOCK_STORE_CREDENTIAL] = unquote(redis_url.password)
        endpoints["lock_store"] = lock
    return endpoints, secrets


class RasaSupervisor(ChildProcess):
    def __init__(
        self,
        command: str,
        project_dir: Path,
        model: Path,
        rasa_url: str,
        action_url: str,
        run_dir: Path,
        start_timeout: float,
        tracker_store_url: str = "",
        lock_store_url: str = "",
    ) -> None:
        self.command = command
        self.project_dir = project_dir
        self.model = model
        self.rasa_url = rasa_url
        self.action_url = action_url
        self.run_dir = run_dir
        self.start_timeout = start_timeout
        self.endpoints, self._secrets = rasa_endpoints(
            action_url, tracker_store_url, lock_store_url
        )
        super().__init__("Rasa")

    @property
    def port(self) -> int:
        return urlsplit(self.rasa_url).port or 5005

    @property
    def log_file(self) -> Path:
        return self.run_dir / f"rasa-{self.port}.log"

    def _last_log_line(self) -> str:
        """Rasa's last words, usually the error that stopped it (it logs no messages at INFO)."""
        try:
            with self.log_file.open("rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - 4096))
                lines = log.read().decode("utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return next((line.strip() for line in reversed(lines) if line.strip()), "")

    def _write_endpoints(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        path = self.run_dir / f"endpoints-{self.port}.yml"
        path.write_text(yaml.safe_dump(self.endpoints, sort_keys=False), encoding="utf-8")
        return path

    def _check_installed(self) -> None:
        if not Path(self.command).exists():
            raise RasaStartError(f"Rasa is not installed at {self.command}: run 'make run'")
        if not self.model.exists():
            raise RasaStartError(f"No trained Rasa model at {self.model}: run 'make run'")

    async def _spawn(self) -> asyncio.subprocess.Process:
        self._check_installed()
        endpoints = self._write_endpoints()
        log = self.log_file.open("ab")
        env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            **self._secrets,
        }
        process = await asyncio.create_subprocess_exec(
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
        logger.info("Started Rasa (pid %d) on port %d", process.pid, self.port)
        return process

    async def _wait_ready(self, process: asyncio.subprocess.Process) -> None:
        client = RasaClient(self.rasa_url, timeout=5.0)
        deadline = time.monotonic() + self.start_timeout
        try:
            while time.monotonic() < deadline:
                if process.returncode is not None:
                    raise RasaStartError(
                        f"Rasa exited while starting ({self._last_log_line()}); see {self.log_file}"
                    )
                if await client.is_ready():
                    return
                await asyncio.sleep(0.5)
        finally:
            await client.aclose()
        raise RasaStartError(f"Rasa was not ready within {self.start_timeout:.0f} s")

    async def _launch(self) -> asyncio.subprocess.Process:
        """Start Rasa and return once it answers with its model loaded."""
        started = time.monotonic()
        process = await self._spawn()
        try:
            await self._wait_ready(process)
        except BaseException:  # not ready, or start-up cancelled: leave no Rasa behind
            await self._terminate(process)
            raise
        logger.info("Rasa is ready after %.1f s", time.monotonic() - started)
        return process

    async def stop(self) -> None:
        await super().stop()
        logger.info("Rasa stopped")


def supervisor_for(settings: Settings, action_url: str, rasa_url: str = "") -> RasaSupervisor:
    """A Rasa on `rasa_url` (default: the settings' own) with the settings' stores."""
    return RasaSupervisor(
        command=settings.rasa_command,
        project_dir=settings.rasa_project_dir,
        model=settings.rasa_model,
        rasa_url=rasa_url or settings.rasa_url,
        action_url=action_url,
        run_dir=settings.data_dir / "rasa",
        start_timeout=settings.rasa_start_timeout_seconds,
        tracker_store_url=settings.rasa_tracker_store,
        lock_store_url=settings.redis_url,
    )
