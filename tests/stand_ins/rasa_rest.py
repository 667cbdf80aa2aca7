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
        self.new_sessions: list[str] = []
        super().__init__(
            Starlette(
                routes=[
                    Route("/webhooks/rest/webhook", self._handle, methods=["POST"]),
                    Route("/conversations/{id}/execute", self._execute, methods=["POST"]),
                ]
            )
        )

    async def _execute(self, request: Request) -> JSONResponse:
        body = await request.json()
        if body["name"] == "action_session_start":
            self.new_sessions.append(request.path_params["id"])
        return JSONResponse({"tracker": None, "messages": []})

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
