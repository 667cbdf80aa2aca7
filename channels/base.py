"""The small interface every channel adapter shares, and the message types that cross it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def normalise(text: str) -> str:
    """Unicode NFC, control and invisible formatting characters removed, whitespace tidied."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()


class ChannelError(Exception):
    """Base of every error a channel adapter raises; `status` is the HTTP status to answer with."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidMessage(ChannelError):
    status = 422
    code = "invalid_message"


class Unauthorized(ChannelError):
    status = 401
    code = "unauthorized"


class Forbidden(ChannelError):
    """A webhook request that the platform did not sign: refused, and nothing of it is kept."""

    status = 403
    code = "forbidden"


@dataclass(frozen=True)
class Inbound:
    """A resident's message, verified and normalised, whatever channel it came in on."""

    channel: str
    channel_key: str
    """Where the resident is on this channel (a chat id, a phone number, a web chat session)."""
    text: str
    external_id: str | None = None
    """The channel's own id of this message, so a replay is recognised."""
    kind: str = "text"
    """`text`, or what the resident sent instead that Loket cannot read (`photo`, `voice`, ...)."""


@dataclass(frozen=True)
class Choice:
    title: str
    payload: str


@dataclass(frozen=True)
class Outbound:
    text: str
    choices: Sequence[Choice] = ()
    message_id: int | None = None
    """The archive's id of this message, when it has been archived."""
    sender: str = "bot"
    window_closed: bool = False
    """The platform's reply window has closed: only an approved template may be sent."""


class Channel(Protocol):
    name: str
    reply_window: timedelta | None
    """How long after the resident's last message a free-form message may be sent (WhatsApp:
    24 hours), or None for no limit."""

    async def send(self, channel_key: str, message: Outbound) -> None:
        """Deliver a message to the resident, now or long after their last message."""
        ...
