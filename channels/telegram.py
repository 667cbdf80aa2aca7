"""Telegram through python-telegram-bot: verify and parse webhook updates, send messages."""

from __future__ import annotations

import contextlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import TelegramError

from channels.base import Forbidden, Inbound, InvalidMessage, Outbound, normalise
from channels.formatting import split_text, telegram_html

NAME: Final = "telegram"
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_TEXT: Final = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CALLBACK_DATA: Final = 64
DEFAULT_API_URL: Final = "https://api.telegram.org/bot"
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query")
_MALFORMED: Final = (
    AttributeError,
    IndexError,
    KeyError,
    OverflowError,
    RecursionError,
    TypeError,
    ValueError,
)


@dataclass(frozen=True)
class TelegramUpdate:
    inbound: Inbound
    callback_query_id: str | None = None


def _callback_data(payload: str) -> str:
    """Telegram allows 64 bytes of callback data: cut at a character boundary."""
    return payload.encode("utf-8")[:MAX_CALLBACK_DATA].decode("utf-8", "ignore")


def _kind(message: Message) -> str:
    if message.text:
        return "text"
    if message.photo:
        return "photo"
    if message.voice or message.audio or message.video_note:
        return "voice"
    if message.document or message.video or message.animation:
        return "file"
    if message.sticker:
        return "sticker"
    if message.location or message.venue:
        return "location"
    return "other"


class TelegramChannel:
    name = NAME
    reply_window: timedelta | None = None

    def __init__(self, token: str, webhook_secret: str, api_url: str = DEFAULT_API_URL) -> None:
        if not webhook_secret:
            raise ValueError("a Telegram webhook needs a secret token")
        self._secret = webhook_secret.encode("utf-8")
        self.bot = Bot(token, base_url=api_url)

    def verify(self, secret_header: str | None) -> None:
        """Telegram sends the secret given at set-webhook in a header; compared in constant
        time, so its content cannot be guessed from how long a refusal takes."""
        given = (secret_header or "").encode("utf-8")
        if not hmac.compare_digest(given, self._secret):
            raise Forbidden("Missing or wrong Telegram secret token")

    def parse(self, data: Any) -> TelegramUpdate | None:
        """The resident's message in an update, or None for updates Loket does not act on."""
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise InvalidMessage("Not a Telegram update")
        try:
            update = Update.de_json(data, self.bot)
            return self._inbound(update)
        except _MALFORMED as error:  # found by fuzzing: PTB trusts Telegram's shapes
            raise InvalidMessage("Not a Telegram update") from error

    def _inbound(self, update: Update) -> TelegramUpdate | None:
        external_id = str(update.update_id)
        query = update.callback_query
        if query is not None and query.data and isinstance(query.message, Message):
            if query.message.chat.type != ChatType.PRIVATE:
                return None
            inbound = Inbound(NAME, str(query.message.chat.id), normalise(query.data), external_id)
            return TelegramUpdate(inbound, callback_query_id=query.id)
        message = update.message or update.edited_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return None
        kind = "edit" if update.edited_message else _kind(message)
        text = normalise(message.text or "") if kind in ("text", "edit") else ""
        if kind == "text" and not text:
            return None
        return TelegramUpdate(
            Inbound(NAME, str(message.chat.id), text or f"[{kind}]", external_id, kind)
        )

    async def acknowledge(self, callback_query_id: str) -> None:
        """Stop the spinner on the button the resident tapped."""
        with contextlib.suppress(TelegramError):  # cosmetic: the answer itself was sent
            await self.bot.answer_callback_query(callback_query_id)

    async def send(self, channel_key: str, message: Outbound) -> None:
        parts = split_text(message.text, MAX_TEXT)
        for number, part in enumerate(parts, start=1):
            markup = None
            if message.choices and number == len(parts):
                markup = InlineKeyboardMarkup(
                    [
                        [InlineKeyboardButton(c.title, callback_data=_callback_data(c.payload))]
                        for c in message.choices
                    ]
                )
            await self.bot.send_message(
                chat_id=int(channel_key),
                text=telegram_html(part),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )

    async def set_webhook(self, url: str, secret: str) -> bool:
        return await self.bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES)
        )
