"""The web chat's HTTP API: sessions, messages, and replies over Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from sse_starlette.sse import EventSourceResponse

from bot import archive, live_changes
from bot.archive import MessageView
from bot.errors import RateLimited
from bot.settings import MAX_MESSAGE_CHARS
from bot.staff_api import services_of
from bot.tables import WebchatSessionRow
from channels import webchat
from channels.base import Inbound, Unauthorized

if TYPE_CHECKING:
    from bot.app import Services

router = APIRouter(prefix="/api/webchat", tags=["web chat"])

KEEPALIVE_SECONDS = 15


class SessionIn(BaseModel):
    language: Literal["nl", "en"] = "nl"


class SessionOut(BaseModel):
    token: str
    conversation_id: str
    expires_at: datetime


class MessageIn(BaseModel):
    text: Any = Field(description=f"The resident's message, 1 to {MAX_MESSAGE_CHARS} characters")
    client_message_id: Any = Field(
        default=None, description="The client's own id; a retry with the same id is answered once"
    )


def _limit_ip(request: Request) -> None:
    services = services_of(request)
    client = request.client.host if request.client else "unknown"
    wait = services.ip_limiter.hit(client)
    if wait:
        raise RateLimited("Too many requests from this address; try again shortly", wait)


async def _conversation_of(services: Services, token: str | None) -> str:
    if not token:
        raise Unauthorized("A session token is required (Authorization: Bearer ...)")

    def lookup(token: str) -> str:
        with Session(services.engine) as session:
            row = session.get(WebchatSessionRow, webchat.token_hash(token))
            if row is None or row.expires_at <= datetime.now(UTC):
                raise Unauthorized("Unknown or expired session token")
            return row.conversation_id

    return await asyncio.to_thread(lookup, token)


def _messages_after(services: Services, conversation_id: str, after: int) -> list[dict[str, Any]]:
    with Session(services.engine) as session:
        rows = archive.messages(session, conversation_id, after)
        return [MessageView.of(row).as_json() for row in rows]


@router.post("/sessions", status_code=201, response_model=SessionOut)
async def create_session(request: Request, body: SessionIn | None = None) -> SessionOut:
    _limit_ip(request)
    services = services_of(request)
    language = body.language if body else "nl"
    token = webchat.new_token()
    expires_at = datetime.now(UTC) + timedelta(hours=services.settings.webchat_session_hours)

    def store() -> str:
        with Session(services.engine) as session, session.begin():
            conversation = archive.new_conversation(session, webchat.NAME, language=language)
            session.add(
                WebchatSessionRow(
                    token_hash=webchat.token_hash(token),
                    conversation_id=conversation.id,
                    expires_at=expires_at,
                )
            )
            return conversation.id

    conversation_id = await asyncio.to_thread(store)
    return SessionOut(token=token, conversation_id=conversation_id, expires_at=expires_at)


@router.post("/messages")
async def post_message(
    request: Request, body: MessageIn, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Send a resident's message; the answer is returned and also pushed on the event stream."""
    _limit_ip(request)
    services = services_of(request)
    conversation_id = await _conversation_of(services, webchat.bearer_token(authorization))
    text = webchat.validate_text(body.text, MAX_MESSAGE_CHARS)
    client_id = webchat.validate_client_id(body.client_message_id)
    turn = await services.router.handle(
        Inbound(webchat.NAME, conversation_id, text, external_id=client_id)
    )
    return {
        "message": turn.inbound.as_json(),
        "replies": [reply.as_json() for reply in turn.replies],
        "duplicate": turn.duplicate,
    }


@router.get("/messages")
async def list_messages(
    request: Request,
    authorization: str | None = Header(default=None),
    after: int = Query(default=0, ge=0),
) -> dict[str, Any]:
    """The conversation so far (after message id `after`), oldest first."""
    services = services_of(request)
    conversation_id = await _conversation_of(services, webchat.bearer_token(authorization))
    return {"messages": await asyncio.to_thread(_messages_after, services, conversation_id, after)}


@router.get("/notices")
async def live_notices(request: Request) -> dict[str, Any]:
    """The crisis notices live now, in every language they have: what the chat shows above the
    conversation (also for a page that shows them outside the chat)."""
    return live_changes.notices_event(services_of(request).knowledge_base.notices.live())


@router.get("/events")
async def events(
    request: Request,
    token: str = Query(description="The session token (EventSource cannot send headers)"),
    last_event_id: str | None = Header(default=None),
) -> EventSourceResponse:
    """Every message of the conversation as it happens; after a reconnect, what was missed."""
    services = services_of(request)
    conversation_id = await _conversation_of(services, token)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0

    async def stream() -> AsyncIterator[dict[str, Any]]:
        topics = (conversation_id, live_changes.NOTICES_TOPIC)
        async with services.hub.listen(*topics) as queue:
            # Listen first, then read the archive: nothing can fall between the two.
            history = await asyncio.to_thread(_messages_after, services, conversation_id, after)
            yield _notices(live_changes.notices_event(services.knowledge_base.notices.live()))
            sent = after
            for message in history:
                sent = message["id"]
                yield _event(message)
            while True:
                event = await queue.get()
                if event is None:
                    return
                if "notices" in event:
                    yield _notices(event)
                    continue
                if event["id"] is not None and event["id"] <= sent:
                    continue
                sent = event["id"] or sent
                yield _event(event)

    return EventSourceResponse(stream(), ping=KEEPALIVE_SECONDS)


def _event(message: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(message["id"]), "event": "message", "data": json.dumps(message)}


def _notices(event: dict[str, Any]) -> dict[str, Any]:
    """The live notices, whole: each such event replaces what the chat shows."""
    return {"event": "notices", "data": json.dumps(event)}
