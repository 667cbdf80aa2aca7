"""A stand-in for Rasa's REST channel on loopback: it answers every message by repeating it, as a
bot that confirms what it understood would, so the reply carries the resident's own words."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.stand_ins.server import BackgroundServer


class RasaRest(BackgroundServer):
    def __init__(self) -> None:
        self.received: list[str] = []
        super().__init__(
            Starlette(routes=[Route("/webhooks/rest/webhook", self._handle, methods=["POST"])])
        )

    async def _handle(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.received.append(body["message"])
        return JSONResponse(
            [
                {"recipient_id": body["sender"], "text": f"U schreef: {body['message']}"},
                {
                    "recipient_id": body["sender"],
                    "custom": {"loket": {"intent": {"name": "inform", "confidence": 0.9}}},
                },
            ]
        )
