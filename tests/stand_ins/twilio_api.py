"""A stand-in for Twilio's REST API (Messages resource) on loopback: it records what Loket sends
and answers as Twilio does, so the twilio library parses its answers. Also builds inbound webhook
requests signed exactly as Twilio signs them."""

from __future__ import annotations

import base64
import itertools
import threading
import time
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from tests.stand_ins.server import BackgroundServer


class TwilioApi(BackgroundServer):
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        path = "/2010-04-01/Accounts/{sid}/Messages.json"
        super().__init__(Starlette(routes=[Route(path, self._create, methods=["POST"])]))

    async def _create(self, request: Request) -> JSONResponse:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        form = {key: str(value) for key, value in (await request.form()).items()}
        with self._lock:
            self.messages.append(form)
        sid = f"SM{next(self._ids):032x}"
        return JSONResponse(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "from": form.get("From"),
                "to": form.get("To"),
                "body": form.get("Body", ""),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "date_created": "Sat, 21 Nov 2026 12:00:00 +0000",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status_code=201,
        )

    def sent_to(self, to: str) -> list[dict[str, str]]:
        with self._lock:
            return [m for m in self.messages if m.get("To") == to]

    def wait_for(self, to: str, count: int, timeout: float = 30) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout
        while len(self.sent_to(to)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.sent_to(to)


def inbound_form(sender: str, body: str, message_sid: str, **extra: str) -> dict[str, str]:
    """The form Twilio posts for an incoming WhatsApp message."""
    form = {
        "SmsMessageSid": message_sid,
        "NumMedia": "0",
        "ProfileName": "Inwoner",
        "MessageType": "text",
        "SmsSid": message_sid,
        "WaId": sender.removeprefix("whatsapp:+"),
        "SmsStatus": "received",
        "Body": body,
        "To": "whatsapp:+3197010000000",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": message_sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def signed(auth_token: str, url: str, form: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The body and headers of Twilio's webhook request for `form`, signed for `url`."""
    signature = RequestValidator(auth_token).compute_signature(url, form)
    headers = {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return urlencode(form).encode(), headers


def tampered(body: bytes) -> bytes:
    return body.replace(b"Body=", b"Body=NIET+", 1)
