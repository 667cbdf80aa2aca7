"""The agents' console as an HTTP JSON API: log in, watch the queue, take a conversation,
answer on the resident's own channel, hand it back or close it.

The console page uses exactly this API, so a municipality can connect its own customer-contact
system to it instead.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from sse_starlette.sse import EventSourceResponse

from actions.actions import answer_text
from bot import archive, handoff, staff
from bot.archive import MessageView
from bot.audit import failed_login, record_audit, record_view
from bot.errors import InvalidInput, NotFound
from bot.router import CONSOLE_TOPIC
from bot.settings import MAX_MESSAGE_CHARS
from bot.staff import StaffUser
from bot.staff_api import actor, in_session, services_of, staff_member
from bot.tables import ConversationRow, MessageRow, StaffUserRow
from channels import webchat
from channels.base import InvalidMessage
from knowledge_base import store
from knowledge_base.text import Language

if TYPE_CHECKING:
    from bot.app import Services

router = APIRouter(prefix="/api/console", tags=["console"])

KEEPALIVE_SECONDS = 15
SUGGESTED_FROM: Final = 3
"""The resident's latest messages the knowledge base is searched with for the agent."""
T = TypeVar("T")


class LoginIn(BaseModel):
    username: str
    password: str
    totp: str | None = Field(default=None, description="The authenticator app's code, if enabled")


class LoginOut(BaseModel):
    token: str
    expires_at: datetime
    username: str
    display_name: str
    roles: list[str]


class ReplyIn(BaseModel):
    text: str = Field(description=f"The agent's message, 1 to {MAX_MESSAGE_CHARS} characters")


class EntryVersionIn(BaseModel):
    id: str
    version: int


class AgentReplyIn(ReplyIn):
    kb_entry: EntryVersionIn | None = Field(
        default=None,
        description="The knowledge-base version the reply is based on (from the suggestions), "
        "archived with it",
    )


def _text(body: ReplyIn) -> str:
    """A staff member's text, normalised and checked like a resident's."""
    try:
        return webchat.validate_text(body.text, MAX_MESSAGE_CHARS)
    except InvalidMessage as error:
        raise InvalidInput(error.message) from error


async def _agent(services: Services, token: str | None) -> StaffUser:
    return await staff_member(services, token, "agent")


@router.post("/login", response_model=LoginOut)
async def login(request: Request, body: LoginIn) -> LoginOut:
    services = services_of(request)

    def work(session: Session) -> LoginOut:
        user = staff.authenticate(session, body.username, body.password, body.totp)
        token, expires_at = staff.start_session(session, user)
        record_audit(session, actor(user), "console.login", user.username)
        return LoginOut(
            token=token,
            expires_at=expires_at,
            username=user.username,
            display_name=user.display_name,
            roles=sorted(user.roles),
        )

    try:
        return await in_session(services, work)
    except staff.LoginFailed as error:
        account, reason = error.account, error.reason
        await in_session(services, lambda s: failed_login(s, body.username, account, reason))
        raise


@router.post("/logout", status_code=204)
async def logout(request: Request, authorization: str | None = Header(default=None)) -> None:
    token = webchat.bearer_token(authorization)
    if not token:
        return

    def work(session: Session) -> None:
        user = staff.end_session(session, token)
        if user is not None:
            record_audit(session, actor(user), "console.logout", user.username)

    await in_session(services_of(request), work)


@router.get("/queue")
async def get_queue(
    request: Request, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Conversations waiting for or held by an agent: most urgent first, then longest waiting."""
    services = services_of(request)
    await _agent(services, webchat.bearer_token(authorization))
    items = await in_session(services, handoff.queue)
    return {"conversations": [item.as_json() for item in items]}


@router.get("/conversations/{conversation_id}")
async def get_conversation(
    request: Request, conversation_id: str, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """The transcript with the bot's context: intents, knowledge-base answers and versions,
    the handoff reason."""
    services = services_of(request)
    agent = await _agent(services, webchat.bearer_token(authorization))

    def work(session: Session) -> dict[str, Any]:
        conversation = session.get(ConversationRow, conversation_id)
        if conversation is None:
            raise NotFound("Unknown conversation")
        record_view(session, actor(agent), "transcript.view", conversation.id)
        return {
            "conversation_id": conversation.id,
            "channel": conversation.channel,
            "state": conversation.state,
            "language": conversation.language,
            "handoff_reason": conversation.handoff_reason,
            "urgency": conversation.urgency,
            "messages": [
                {
                    **MessageView.of(row).as_json(),
                    "intent": row.intent,
                    "confidence": row.confidence,
                    "kb_entry": (
                        {
                            "id": row.kb_entry_id,
                            "version": row.kb_entry_version,
                            "score": row.kb_score,
                        }
                        if row.kb_entry_id
                        else None
                    ),
                    "handoff_reason": row.handoff_reason,
                    "event": _event(session, row),
                }
                for row in archive.messages(session, conversation.id, events=True)
            ],
            "notes": [note.as_json() for note in handoff.notes(session, conversation.id)],
        }

    return await in_session(services, work)


def _event(session: Session, row: MessageRow) -> dict[str, Any] | None:
    """A handoff record as the console shows it: what happened, and which colleague did it."""
    if row.direction != archive.EVENT:
        return None
    agent = session.get(StaffUserRow, row.agent_id) if row.agent_id else None
    event = (row.payload or {}).get("handoff", {})
    return {"name": event.get("event"), "agent": agent.display_name if agent else None}


@router.post("/conversations/{conversation_id}/notes", status_code=201)
async def add_note(
    request: Request,
    conversation_id: str,
    body: ReplyIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """An internal note for colleagues: kept with the conversation, never sent to the resident."""
    services = services_of(request)
    agent = await _agent(services, webchat.bearer_token(authorization))
    text = _text(body)

    def work(session: Session) -> dict[str, Any]:
        note = handoff.add_note(session, conversation_id, agent, text)
        record_audit(session, actor(agent), "conversation.note", conversation_id)
        return note.as_json()

    note = await in_session(services, work)
    services.router.notify_console(conversation_id, [])
    return {"note": note}


@router.get("/canned-responses")
async def canned_responses(
    request: Request,
    language: Literal["nl", "en"] = "nl",
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Ready-made replies an agent can start from, in the resident's language."""
    services = services_of(request)
    await _agent(services, webchat.bearer_token(authorization))
    return {
        "responses": [
            {"title": r.title, "text": r.text_in(language)} for r in services.canned_responses
        ]
    }


@router.get("/conversations/{conversation_id}/suggestions")
async def suggestions(
    request: Request,
    conversation_id: str,
    q: str | None = Query(
        default=None,
        max_length=MAX_MESSAGE_CHARS,
        description="The agent's own search; without it, the resident's latest messages",
    ),
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Knowledge-base answers to start a reply from, best first, as the assistant would give
    them in the conversation's language: also for the questions it handed over unanswered."""
    services = services_of(request)
    await _agent(services, webchat.bearer_token(authorization))

    def work(session: Session) -> tuple[Language, list[str]]:
        conversation = session.get(ConversationRow, conversation_id)
        if conversation is None:
            raise NotFound("Unknown conversation")
        language: Language = "en" if conversation.language == "en" else "nl"
        if q and q.strip():
            return language, [q]
        return language, archive.latest_inbound_texts(session, conversation_id, SUGGESTED_FROM)

    language, texts = await in_session(services, work)
    knowledge_base = services.knowledge_base
    found = await asyncio.to_thread(knowledge_base.suggest, texts)
    return {
        "suggestions": [
            {
                "id": candidate.entry.id,
                "version": candidate.entry.version,
                "topic": candidate.entry.topic,
                "question": candidate.entry.question_in(language),
                "answer": answer_text(
                    candidate.entry,
                    language,
                    services.settings.municipality,
                    knowledge_base.notices.on_topic(candidate.entry.topic),
                ),
                "score": candidate.score,
            }
            for candidate in found
        ]
    }


async def _move(
    request: Request,
    conversation_id: str,
    authorization: str | None,
    move: Callable[[Session, str, StaffUser], str],
) -> dict[str, Any]:
    services = services_of(request)
    agent = await _agent(services, webchat.bearer_token(authorization))

    def work(session: Session) -> str:
        state = move(session, conversation_id, agent)
        record_audit(session, actor(agent), f"conversation.{move.__name__}", conversation_id)
        return state

    async with services.router.holding(conversation_id):
        state = await in_session(services, work)
    services.router.notify_console(conversation_id, [])
    return {"conversation_id": conversation_id, "state": state}


@router.post("/conversations/{conversation_id}/take")
async def take(
    request: Request, conversation_id: str, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Take the conversation over: the resident's messages now come to you, not to the bot."""
    return await _move(request, conversation_id, authorization, handoff.take)


@router.post("/conversations/{conversation_id}/hand-back")
async def hand_back(
    request: Request, conversation_id: str, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """The bot answers the resident again."""
    return await _move(request, conversation_id, authorization, handoff.hand_back)


@router.post("/conversations/{conversation_id}/close")
async def close(
    request: Request, conversation_id: str, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    return await _move(request, conversation_id, authorization, handoff.close)


@router.post("/conversations/{conversation_id}/messages", status_code=201)
async def reply(
    request: Request,
    conversation_id: str,
    body: AgentReplyIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Answer the resident on their own channel (WhatsApp outside its 24-hour window: the
    approved template)."""
    services = services_of(request)
    agent = await _agent(services, webchat.bearer_token(authorization))
    text = _text(body)
    kb_entry = (body.kb_entry.id, body.kb_entry.version) if body.kb_entry else None

    def check(session: Session) -> None:
        handoff.holder(session, conversation_id, agent)
        if kb_entry:
            entry_id, version = kb_entry
            if not store.entry_versions(session, {entry_id: version}):
                raise InvalidInput("Unknown knowledge-base entry version")

    await in_session(services, check)
    view = await services.router.deliver(
        conversation_id, text, sender="agent", agent_id=agent.id, kb_entry=kb_entry
    )
    details: dict[str, Any] = {"message_id": view.id}
    if kb_entry:
        details["kb_entry"] = {"id": kb_entry[0], "version": kb_entry[1]}
    await in_session(
        services,
        lambda s: record_audit(s, actor(agent), "conversation.reply", conversation_id, details),
    )
    return {"message": view.as_json()}


@router.get("/events")
async def events(
    request: Request,
    token: str = Query(description="The login token (EventSource cannot send headers)"),
) -> EventSourceResponse:
    """Queue changes and messages in handed-off conversations, as they happen. After a
    reconnect, fetch the queue again."""
    services = services_of(request)
    await _agent(services, token)

    async def stream() -> AsyncIterator[dict[str, Any]]:
        async with services.hub.listen(CONSOLE_TOPIC) as queue:
            while True:
                event = await queue.get()
                if event is None:
                    return
                yield {"event": "conversation", "data": json.dumps(event)}

    return EventSourceResponse(stream(), ping=KEEPALIVE_SECONDS)
