"""The platforms' webhooks: verified first, then parsed, then routed like any message."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from bot.errors import NotFound
from channels import telegram, whatsapp
from channels.base import InvalidMessage, TooLarge

if TYPE_CHECKING:
    from bot.app import Services

router = APIRouter(prefix="/webhooks", tags=["channels"])


async def _read(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"The body is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"The body is larger than {limit} bytes")
    return bytes(body)


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON; 413 past `limit` bytes, before anything is parsed."""
    body = await _read(request, limit)
    try:
        return json.loads(body)
    except ValueError as error:
        raise InvalidMessage("The body is not valid JSON") from error


@router.post("/telegram", summary="Telegram's webhook (set with `loket channels telegram ...`)")
async def telegram_webhook(request: Request) -> Response:
    services: Services = request.app.state.services
    channel = services.telegram
    if channel is None:
        raise NotFound("Telegram is not configured")
    channel.verify(request.headers.get(telegram.SECRET_HEADER))
    update = channel.parse(await read_json(request, services.settings.max_body_bytes))
    if update is not None:
        await services.router.handle(update.inbound)
        if update.callback_query_id:
            await channel.acknowledge(update.callback_query_id)
    return Response(status_code=200)


async def read_form(request: Request, limit: int) -> dict[str, str]:
    """A form-encoded body; 413 past `limit` bytes, before anything is parsed."""
    body = await _read(request, limit)
    return {
        key: value
        for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    }


@router.post("/twilio", summary="Twilio's webhook for incoming WhatsApp messages")
async def twilio_webhook(request: Request) -> Response:
    services: Services = request.app.state.services
    channel = services.whatsapp
    if channel is None:
        raise NotFound("WhatsApp (Twilio) is not configured")
    form = await read_form(request, services.settings.max_body_bytes)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    channel.verify(path, form, request.headers.get(whatsapp.SIGNATURE_HEADER))
    await services.router.handle(channel.parse(form))
    return Response(whatsapp.EMPTY_TWIML, media_type="text/xml")
