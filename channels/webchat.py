"""The website's chat: session tokens, message validation and delivery over Server-Sent Events."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict
from datetime import timedelta
from typing import Any, Final, Protocol

from channels.base import InvalidMessage, Outbound, normalise

NAME: Final = "webchat"
TOKEN_BYTES: Final = 32
MAX_CLIENT_ID_CHARS: Final = 100


class Publisher(Protocol):
    def publish(self, topic: str, event: dict[str, Any]) -> None: ...


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Only this hash is stored, so a database leak does not leak live sessions."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def validate_text(text: Any, max_chars: int) -> str:
    if not isinstance(text, str):
        raise InvalidMessage("'text' must be a string")
    clean = normalise(text)
    if not clean:
        raise InvalidMessage("The message is empty")
    if len(clean) > max_chars:
        raise InvalidMessage(f"The message is longer than {max_chars} characters")
    return clean


def validate_client_id(client_message_id: Any) -> str | None:
    if client_message_id is None:
        return None
    if (
        not isinstance(client_message_id, str)
        or not 0 < len(client_message_id) <= MAX_CLIENT_ID_CHARS
    ):
        raise InvalidMessage(f"'client_message_id' must be a string of 1 to {MAX_CLIENT_ID_CHARS}")
    return client_message_id


class WebchatChannel:
    """Delivers to the browser by publishing on the conversation's topic; SSE streams pick it up."""

    name = NAME
    reply_window: timedelta | None = None

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    async def send(self, channel_key: str, message: Outbound) -> None:
        self._publisher.publish(
            channel_key,
            {
                "id": message.message_id,
                "direction": "out",
                "sender": message.sender,
                "text": message.text,
                "choices": [asdict(choice) for choice in message.choices],
            },
        )
