"""The platforms' webhooks: verified first, then parsed, then routed like any message."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from bot.errors import NotFound
from channels import telegram, whatsapp
from channels.base import InvalidMessage

if TYPE_CHECKING:
    from bot.app import Services

router = APIRouter(prefix="/webhooks", tags=["channels"])


async def read_json(request: Request) -> Any:
    """The body as JSON (its size is limited by the BodyLimit middleware)."""
    try:
        return json.loads(await request.body())
    except ValueError as error:
        raise InvalidMessage("The body is not valid JSON") from error
    except RecursionError as error:  # "[[[[...": found by fuzzing
        raise InvalidMessage("The body is nested too deeply") from error


@router.post("/telegram", summary="Telegram's webhook (set with `loket channels telegram ...`)")
async def telegram_webhook(request: Request) -> Response:
    services: Services = request.app.state.services
    channel = services.telegram
    if channel is None:
        raise NotFound("Telegram is not configured")
    channel.verify(request.headers.get(telegram.SECRET_HEADER))
    update = channel.parse(await read_json(request))
    if update is not None and update.inbound.external_id not in services.seen_updates:
        await services.router.handle(update.inbound)
        if update.callback_query_id:
            await channel.acknowledge(update.callback_query_id)
        services.seen_updates.add(update.inbound.external_id or "")
    return Response(status_code=200)


async def read_form(request: Request) -> dict[str, str]:
    """A form-encoded body, empty fields kept: Twilio signs them too."""
    body = (await request.body()).decode("utf-8", "replace")
    return dict(parse_qsl(body, keep_blank_values=True))


@router.post("/twilio", summary="Twilio's webhook for incoming WhatsApp messages")
async def twilio_webhook(request: Request) -> Response:
    services: Services = request.app.state.services
    channel = services.whatsapp
    if channel is None:
        raise NotFound("WhatsApp (Twilio) is not configured")
    form = await read_form(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    channel.verify(path, form, request.headers.get(whatsapp.SIGNATURE_HEADER))
    await services.router.handle(channel.parse(form))
    return Response(whatsapp.EMPTY_TWIML, media_type="text/xml")
