"""Between Rasa and loket's action webhook: action calls arrive `delay` seconds late, as when
the action server is starved of CPU or waits on a slow database: all of them, or those up to
call number `slow_until` (a stall that passes)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.stand_ins.server import BackgroundServer


class SlowActions(BackgroundServer):
    def __init__(self, delay: float, slow_until: int | None = None) -> None:
        self.delay = delay
        self.slow_until = slow_until
        self.target = ""
        """Loket's action webhook, known once loket runs (Rasa calls only when residents write)."""
        self.calls = 0
        super().__init__(Starlette(routes=[Route("/webhook", self._forward, methods=["POST"])]))

    async def _forward(self, request: Request) -> Response:
        self.calls += 1
        number = self.calls
        body = await request.body()
        if self.slow_until is None or number <= self.slow_until:
            await asyncio.sleep(self.delay)
        try:
            async with httpx.AsyncClient(timeout=300) as client:
                answer = await client.post(
                    self.target, content=body, headers={"Content-Type": "application/json"}
                )
        except httpx.HTTPError:  # a stalled call of a Rasa that gave up, after loket stopped
            return Response(status_code=502)
        return Response(answer.content, answer.status_code, media_type="application/json")
