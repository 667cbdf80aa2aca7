"""Loket's side of Rasa: send a resident's message over Rasa's REST channel, read the replies."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from bot.errors import RasaUnavailable
from channels.base import Choice

logger = logging.getLogger(__name__)

METADATA_KEY: Final = "loket"
"""Loket's actions attach what they decided under this key of a custom message."""


@dataclass
class Reply:
    text: str
    choices: list[Choice] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    """What the action decided: intent, confidence, language, kb_entry, handoff."""


def parse_replies(messages: list[dict[str, Any]]) -> list[Reply]:
    """Rasa's REST channel splits a text at blank lines and sends an action's custom payload as a
    message of its own, after the texts. Join each action's parts into one reply again."""
    replies: list[Reply] = []
    parts: list[dict[str, Any]] = []

    def reply_of(group: list[dict[str, Any]], meta: dict[str, Any]) -> Reply:
        buttons = [b for part in group for b in part.get("buttons") or []]
        return Reply(
            text="\n\n".join(str(part["text"]) for part in group),
            choices=[Choice(title=str(b["title"]), payload=str(b["payload"])) for b in buttons],
            meta=meta,
        )

    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and METADATA_KEY in custom:
            if parts:
                replies.append(reply_of(parts, dict(custom[METADATA_KEY])))
                parts = []
        elif message.get("text"):
            parts.append(message)
    replies.extend(reply_of([part], {}) for part in parts)
    return replies


class RasaClient:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[Reply]:
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=body)
            response.raise_for_status()
        except httpx.HTTPError as error:
            logger.warning("Rasa did not answer: %s", type(error).__name__)
            raise RasaUnavailable("The assistant is not reachable right now") from error
        return parse_replies(response.json())

    async def new_session(self, sender: str) -> None:
        """Start a new session of the conversation: from now on Rasa reads back and sends to the
        actions only what follows (a SQL tracker store keeps the earlier sessions too)."""
        try:
            response = await self._http.post(
                f"/conversations/{sender}/execute",
                params={"include_events": "NONE"},
                json={"name": "action_session_start"},
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            logger.warning("Rasa did not start a new session: %s", type(error).__name__)
            raise RasaUnavailable("The assistant is not reachable right now") from error

    async def is_ready(self) -> bool:
        """True when Rasa answers and has a model loaded."""
        try:
            response = await self._http.get("/status", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and bool(response.json().get("model_id"))
