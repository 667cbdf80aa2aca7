"""`loket run --workers N`: several loket processes on one listening socket, and the Rasa
processes they use, started, restarted when they die and stopped in order by one parent.

The parent binds the port and hands the socket to every worker: the kernel gives each new
connection to whichever worker accepts it first, and a worker that dies takes no queue of
accepted-but-unanswered connections with it. Worker `i` sends residents' messages to Rasa
`i % R`; every Rasa calls the actions on the shared port, and all share the tracker store
(PostgreSQL) and lock store (Redis), so any of them can continue any conversation.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.orm import Session

from bot import metrics, sealing
from bot.child_process import ChildProcess
from bot.errors import ServiceUnavailable
from bot.settings import Settings
from bot.supervisor import supervisor_for
from knowledge_base import store
from knowledge_base.entries import Status
from knowledge_base.seed import read_seed

logger = logging.getLogger(__name__)

WORKER_START_TIMEOUT: Final = 300.0


class WorkerStartError(ServiceUnavailable):
    code = "worker_start_failed"


def rasa_urls(settings: Settings) -> list[str]:
    """The managed Rasa processes' addresses: `rasa_url`, then the next ports."""
    url = urlsplit(settings.rasa_url)
    port = url.port or 5005
    return [
        urlunsplit(url._replace(netloc=f"{url.hostname}:{port + number}"))
        for number in range(settings.managed_rasa_processes)
    ] or [settings.rasa_url]


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Worker(ChildProcess):
    """One loket process serving on the shared socket; restarted when it dies."""

    def __init__(self, number: int, sock: socket.socket, settings: Settings, rasa_url: str) -> None:
        super().__init__(f"Worker {number}")
        self.number = number
        self._sock = sock
        self._env = {
            **os.environ,
            "LOKET_HOST": settings.host,
            "LOKET_PORT": str(settings.port),
            "LOKET_RASA_URL": rasa_url,
            "LOKET_MANAGE_RASA": "false",
            "LOKET_WORKERS": "1",
            metrics.MULTIPROCESS_DIR: str(metrics_dir(settings)),
        }

    async def _launch(self) -> asyncio.subprocess.Process:
        """Start the process and return once it serves (it writes to the pipe when it does).
        SIGTERM, when it stops: uvicorn finishes the requests in progress, then exits."""
        ready_read, ready_write = os.pipe()
        fd = self._sock.fileno()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--socket-fd",
                str(fd),
                "--ready-fd",
                str(ready_write),
                env=self._env,
                pass_fds=(fd, ready_write),
                start_new_session=True,
            )
        finally:
            os.close(ready_write)
        try:
            ready = await _read_one_byte(ready_read)
            if not ready:
                raise WorkerStartError(f"Worker {self.number} did not start; see its log above")
        except BaseException:  # did not start, or start-up cancelled: leave no worker behind
            await self._terminate(process)
            raise
        finally:
            os.close(ready_read)
        logger.info("Worker %d (pid %d) is serving", self.number, process.pid)
        return process


async def _read_one_byte(fd: int) -> bytes:
    """One byte from a pipe; b"" when the writer closed it (exited) or did not write in time."""
    loop = asyncio.get_running_loop()
    readable: asyncio.Future[bytes] = loop.create_future()

    def read() -> None:
        if not readable.done():
            readable.set_result(os.read(fd, 1))

    os.set_blocking(fd, False)
    loop.add_reader(fd, read)
    try:
        async with asyncio.timeout(WORKER_START_TIMEOUT):
            return await readable
    except TimeoutError:
        return b""
    finally:
        loop.remove_reader(fd)


def metrics_dir(settings: Settings) -> Path:
    return settings.data_dir / "metrics"


def prepare_metrics(settings: Settings) -> None:
    """An empty folder for the workers' metric files: counting starts again with the service,
    as it does for one process."""
    folder = metrics_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def prepare_database(settings: Settings) -> None:
    """Migrate the database and import the starter knowledge base into an empty one, once:
    workers doing it at the same moment raced to create the same tables (and would import the
    starter entries twice)."""
    engine = sealing.open_database(settings)
    try:
        with Session(engine) as session, session.begin():
            if not store.count_entries(session):
                entries = read_seed(settings.kb_seed_file)
                added = store.import_entries(session, entries, Status.PUBLISHED)["added"]
                logger.info("Imported %d starter entries", added)
    finally:
        engine.dispose()


async def serve_several(settings: Settings) -> None:
    """Start the Rasa processes and the workers; run until cancelled (Ctrl-C, SIGTERM), then
    stop the workers (they finish what is in progress) and after them Rasa."""
    await asyncio.to_thread(prepare_database, settings)
    prepare_metrics(settings)
    sock = listening_socket(settings.host, settings.port)
    urls = rasa_urls(settings)
    supervisors = [supervisor_for(settings, settings.own_action_url, url) for url in urls]
    workers = [Worker(n, sock, settings, urls[n % len(urls)]) for n in range(settings.workers)]
    started = time.monotonic()
    starting = [
        *(asyncio.create_task(worker.start()) for worker in workers),
        *(asyncio.create_task(supervisor.start()) for supervisor in supervisors),
    ]
    try:
        try:
            await asyncio.gather(*starting)
        finally:
            for task in starting:
                task.cancel()
            await asyncio.gather(*starting, return_exceptions=True)
        logger.info(
            "Loket is ready: web chat at http://%s:%d/ (%d workers, %d Rasa processes, %.0f s)",
            settings.host,
            settings.port,
            len(workers),
            len(supervisors),
            time.monotonic() - started,
        )
        await asyncio.Event().wait()
    finally:
        await asyncio.gather(*(worker.stop() for worker in workers))
        await asyncio.gather(*(supervisor.stop() for supervisor in supervisors))
        sock.close()
