"""A stand-in for Telegram's Bot API on loopback: it records what Loket sends and answers the way
the Bot API does (https://core.telegram.org/bots/api), so python-telegram-bot parses its answers."""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.stand_ins.server import BackgroundServer

BOT_ID = 7_000_000_001


class TelegramBotApi(BackgroundServer):
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1000)
        super().__init__(
            Starlette(routes=[Route("/bot{token}/{method}", self._handle, methods=["POST", "GET"])])
        )

    @property
    def api_url(self) -> str:
        return f"{self.url}/bot"

    async def _handle(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        if request.headers.get("content-type", "").startswith("application/json"):
            params: dict[str, Any] = await request.json()
        else:
            form = await request.form()
            params = {}
            for key, value in form.items():
                try:
                    params[key] = json.loads(str(value))
                except ValueError:
                    params[key] = value
        with self._lock:
            self.calls.append((method, params))
        return JSONResponse({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "sendMessage":
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Loket"},
                "text": params["text"],
            }
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Loket", "username": "loket_bot"}
        return True

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return [p for m, p in self.calls if m == "sendMessage" and int(p["chat_id"]) == chat_id]

    def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 30
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.sent(chat_id)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.sent(chat_id)


def text_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """An update as Telegram posts it to a webhook for a text message in a private chat."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 100_000,
            "from": {
                "id": chat_id,
                "is_bot": False,
                "first_name": "Inwoner",
                "language_code": "nl",
            },
            "chat": {"id": chat_id, "first_name": "Inwoner", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }
