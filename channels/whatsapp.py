"""WhatsApp through Twilio: verify the webhook's signature, parse its form, send over the REST API.

Replies go out through the REST API rather than in the webhook's TwiML answer, because an agent's
reply can come long after the resident's message.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from twilio.base.exceptions import TwilioException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.base import ChannelError, Forbidden, Inbound, InvalidMessage, Outbound, normalise
from channels.formatting import split_text, whatsapp_text

NAME: Final = "whatsapp"
SIGNATURE_HEADER: Final = "X-Twilio-Signature"
MAX_TEXT: Final = 1600
"""Twilio's limit for the body of one WhatsApp message."""
REPLY_WINDOW: Final = timedelta(hours=24)
EMPTY_TWIML: Final = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class SendFailed(ChannelError):
    status = 502
    code = "send_failed"


def _media_kind(content_type: str) -> str:
    if content_type.startswith("image/"):
        return "photo"
    if content_type.startswith("audio/"):
        return "voice"
    return "file"


def whatsapp_body(message: Outbound) -> str:
    """WhatsApp has no buttons for free-form messages: choices become a numbered list."""
    if not message.choices:
        return message.text
    options = "\n".join(f"{n}. {c.title}" for n, c in enumerate(message.choices, start=1))
    return f"{message.text}\n\n{options}"


class WhatsAppChannel:
    name = NAME
    reply_window: timedelta | None = REPLY_WINDOW

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        public_url: str,
        api_url: str | None = None,
        template_sid: str = "",
    ) -> None:
        if not public_url:
            raise ValueError("Twilio signatures are checked against LOKET_PUBLIC_URL: set it")
        self.sender = sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"
        self.public_url = public_url.rstrip("/")
        self.template_sid = template_sid
        self._validator = RequestValidator(auth_token)
        self._client = Client(account_sid, auth_token)
        if api_url:
            self._client.api.base_url = api_url.rstrip("/")

    def verify(self, path: str, form: Mapping[str, str], signature: str | None) -> None:
        """Twilio signs the URL it called plus the form; proxies change host and scheme, so the
        URL is rebuilt from the configured public address."""
        url = self.public_url + path
        if not signature or not self._validator.validate(url, dict(form), signature):
            raise Forbidden("Missing or invalid Twilio signature")

    def parse(self, form: Mapping[str, str]) -> Inbound:
        sender = form.get("From", "")
        message_sid = form.get("MessageSid") or form.get("SmsMessageSid")
        if not sender.startswith("whatsapp:") or not message_sid:
            raise InvalidMessage("Not a Twilio WhatsApp message")
        num_media = (
            int(form.get("NumMedia", "0") or 0) if form.get("NumMedia", "0").isdigit() else 0
        )
        text = normalise(form.get("Body", ""))
        if num_media:
            kind = _media_kind(form.get("MediaContentType0", ""))
        elif form.get("Latitude") and form.get("Longitude"):
            kind = "location"
        elif text:
            kind = "text"
        else:
            kind = "other"
        if kind != "text":
            text = f"[{kind}]"
        return Inbound(NAME, sender, text, message_sid, kind)

    async def send(self, channel_key: str, message: Outbound) -> None:
        if message.window_closed:
            # WhatsApp refuses free-form messages now; the approved template asks the resident
            # to reply, which opens the window again.
            if not self.template_sid:
                raise SendFailed("No WhatsApp template configured (LOKET_TWILIO_TEMPLATE_SID)")
            variables = json.dumps({"1": message.sender})
            await self._create(
                to=channel_key, content_sid=self.template_sid, content_variables=variables
            )
            return
        for part in split_text(whatsapp_body(message), MAX_TEXT):
            await self._create(to=channel_key, body=whatsapp_text(part))

    async def _create(self, **fields: str) -> None:
        try:
            # twilio's client is synchronous: keep it off the event loop.
            await asyncio.to_thread(self._client.messages.create, from_=self.sender, **fields)
        except TwilioException as error:
            raise SendFailed("Twilio did not accept the message") from error
