"""A small HTTP server on loopback in a background thread, for stand-ins of outside services."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import TypeVar

import uvicorn
from starlette.applications import Starlette

from bot.ports import free_port


class BackgroundServer:
    def __init__(self, app: Starlette) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the stand-in did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


Server = TypeVar("Server", bound=BackgroundServer)


def running(server: Server) -> Iterator[Server]:
    """For a fixture: the server, started, and stopped afterwards."""
    server.start()
    yield server
    server.stop()
