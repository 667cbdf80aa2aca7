"""The conversation router: one inbound message in, archived, answered by Rasa, replies out.

Messages of one conversation are handled one at a time and in order; different conversations run
concurrently. The inbound message and its replies are written in one transaction after Rasa has
answered, so a failure leaves nothing half-stored and the sender can simply retry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from actions.escalation import escalation, safety_phrase
from actions.texts import TEXTS
from bot import archive, handoff, metrics
from bot.archive import MessageView
from bot.business_hours import BusinessHours, when
from bot.conversation_locks import ConversationLocks, LocalLocks
from bot.errors import NotFound
from bot.rasa_client import RasaClient, Reply
from bot.rate_limit import RateLimiter
from bot.tables import ConversationRow, MessageRow
from channels.base import Channel, Inbound, Outbound
from channels.webchat import Publisher
from knowledge_base.entries import render
from knowledge_base.notices import Notice, NoticeBoard
from knowledge_base.text import LANGUAGES, Language, detect_language

logger = logging.getLogger(__name__)

CONSOLE_TOPIC = "console"
"""The event topic agents' consoles listen on: queue changes and messages in handed-off
conversations."""


def rasa_text(text: str) -> str:
    """A resident's text as Rasa may see it: never Rasa's `/intent{...}` command syntax."""
    return text.lstrip("/ ") or text.replace("/", " ").strip() or "?"


@dataclass(frozen=True)
class Turn:
    """One inbound message and the replies it got (none while an agent holds the conversation)."""

    inbound: MessageView
    replies: list[MessageView]
    meta: dict[str, Any]
    duplicate: bool = False
    handed_off: bool = False
    """This message put the conversation in the queue for an agent."""


@dataclass(frozen=True)
class _Conversation:
    id: str
    state: str
    language: Language
    replayed: Turn | None
    choices: list[dict[str, str]]
    """The quick-reply choices of the last message sent, which a number can pick."""
    said: int
    """How many messages the resident sent before this one."""
    notices_shown: frozenset[int]
    """The crisis notices this conversation was sent already."""


RASA_SESSION_MESSAGES: Final = 20
"""Every this many messages of a resident, Rasa starts a new session of the conversation.
Rasa reads back, replays and sends to the actions every event of the current session on every
message, so its cost per message grew with the conversation (a 60-message conversation: about
twice the cost per message by its end); the actions look back a few messages only."""


NOTICE_SENDER: Final = "notice"
"""The sender of a crisis notice in the archive and on the channels."""


def notice_text(notice: Notice, language: Language) -> tuple[Language, str]:
    """A crisis notice as a message: in the resident's language when it has it, else in Dutch
    with a line saying so."""
    notice_language, title, body = notice.text_in(language)
    parts = [render(TEXTS["notice"][language], {"title": title}), body]
    if notice.content.url:
        parts.append(render(TEXTS["notice_updates"][language], {"url": notice.content.url}))
    if notice_language != language:
        parts.insert(0, render(TEXTS["notice_only_in_dutch"][language], {}))
    return notice_language, "\n\n".join(parts)


def chosen(text: str, choices: list[dict[str, str]]) -> str:
    """A choice typed as its number ("2"), as on WhatsApp, becomes that choice's payload."""
    number = text.strip().rstrip(".)")
    if number.isdigit() and 1 <= int(number) <= len(choices):
        return choices[int(number) - 1]["payload"]
    return text


class Router:
    def __init__(
        self,
        engine: Engine,
        rasa: RasaClient,
        channels: Mapping[str, Channel],
        sender_limiter: RateLimiter | None = None,
        console: Publisher | None = None,
        hours: BusinessHours | None = None,
        minutes_per_conversation: int = 5,
        locks: ConversationLocks | None = None,
        notices: NoticeBoard | None = None,
    ) -> None:
        self._engine = engine
        self._notices = notices
        self._console = console
        self._hours = hours
        self._minutes_per_conversation = minutes_per_conversation
        self._rasa = rasa
        self._sender_limiter = sender_limiter
        self._channels = dict(channels)
        self._locks = locks or LocalLocks()

    def add_channel(self, channel: Channel) -> None:
        self._channels[channel.name] = channel

    def can_reach(self, channel: str, last_inbound: datetime, now: datetime) -> bool:
        """Whether a free-form message may go to a resident on `channel` now: the channel is
        on, and its reply window (WhatsApp: 24 hours) has not closed."""
        if channel not in self._channels:
            return False
        window = self._channels[channel].reply_window
        return window is None or now - last_inbound <= window

    async def handle(self, inbound: Inbound) -> Turn:
        started = time.perf_counter()
        async with self._locks.hold(f"{inbound.channel}:{inbound.channel_key}"):
            turn = await self._handle(inbound)
        if not turn.duplicate:
            metrics.TURN_SECONDS.labels(inbound.channel).observe(time.perf_counter() - started)
            metrics.MESSAGES.labels(inbound.channel, "in").inc()
            metrics.MESSAGES.labels(inbound.channel, "out").inc(len(turn.replies))
            if turn.handed_off:
                metrics.HANDOFFS.labels(turn.meta.get("handoff", {}).get("reason", "")).inc()
            candidates = turn.meta.get("candidates") or []
            if candidates:
                outcome = str(turn.meta.get("outcome", "answer"))
                metrics.RETRIEVAL_SCORE.labels(outcome).observe(float(candidates[0]["score"]))
        return turn

    async def _handle(self, inbound: Inbound) -> Turn:
        conversation = await asyncio.to_thread(self._conversation, inbound)
        if conversation.replayed is not None:
            return conversation.replayed
        language = detect_language(inbound.text, default=conversation.language)
        replies: list[Reply] = []
        limited = self._sender_limiter and self._sender_limiter.hit(
            f"{inbound.channel}:{inbound.channel_key}"
        )
        if limited:
            # Kept and answered, never dropped: but not sent to Rasa.
            replies = [Reply(text=render(TEXTS["slow_down"][language], {}))]
        elif inbound.kind != "text":
            replies = [Reply(text=render(TEXTS[f"unsupported_{inbound.kind}"][language], {}))]
        elif conversation.state in handoff.OPEN_STATES:
            # Handed to the team: it is a person the resident waits for, so their messages go
            # to the agents, not to Rasa. Only words of danger still get an answer at once.
            replies = self._safety_reply(inbound.text, language)
        else:
            text = chosen(inbound.text, conversation.choices)
            if conversation.said and conversation.said % RASA_SESSION_MESSAGES == 0:
                await self._rasa.new_session(conversation.id)
            replies = await self._rasa.send(
                conversation.id, rasa_text(text), {"language": language}
            )
            if conversation.state == "bot" and any(r.meta.get("handoff") for r in replies):
                replies.append(Reply(text=await asyncio.to_thread(self._waiting_text, language)))
        replies += self._notice_replies(conversation.notices_shown, language)
        turn = await asyncio.to_thread(self._store, conversation.id, inbound, language, replies)
        channel = self._channels[inbound.channel]
        for view, reply in zip(turn.replies, replies, strict=True):
            outbound = Outbound(
                text=view.text, choices=reply.choices, message_id=view.id, sender=view.sender
            )
            await channel.send(inbound.channel_key, outbound)
        if turn.handed_off or conversation.state != "bot":
            self.notify_console(conversation.id, [turn.inbound, *turn.replies])
        return turn

    @asynccontextmanager
    async def holding(self, conversation_id: str) -> AsyncIterator[None]:
        """Hold the conversation as a turn does: a change made meanwhile (an agent taking it
        over) is then archived after that turn's messages in the hash chain, not beside them."""
        key = await asyncio.to_thread(self._lock_key, conversation_id)
        async with self._locks.hold(key):
            yield

    def _lock_key(self, conversation_id: str) -> str:
        with Session(self._engine) as session:
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None:
                raise NotFound("Unknown conversation")
            return f"{conversation.channel}:{conversation.channel_key}"

    def notify_console(self, conversation_id: str, messages: list[MessageView]) -> None:
        if self._console is not None:
            self._console.publish(
                CONSOLE_TOPIC,
                {
                    "id": None,
                    "conversation_id": conversation_id,
                    "messages": [m.as_json() for m in messages],
                },
            )

    async def deliver(
        self,
        conversation_id: str,
        text: str,
        sender: str = "agent",
        agent_id: int | None = None,
        payload: dict[str, Any] | None = None,
        kb_entry: tuple[str, int] | None = None,
    ) -> MessageView:
        """Send a message on the resident's own channel at any time: an agent's reply, a notice.

        Where the platform's reply window has closed (WhatsApp, 24 hours after the resident's
        last message) the channel sends its approved template instead; the archive says so.
        `kb_entry`: the knowledge-base entry and version the message was based on, archived
        with it as with the assistant's answers.
        """
        with Session(self._engine) as session:
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None:
                raise NotFound("Unknown conversation")
            channel_name, channel_key = conversation.channel, conversation.channel_key
            last_inbound = archive.last_inbound_at(session, conversation_id)
        channel = self._channels[channel_name]
        window_closed = channel.reply_window is not None and (
            last_inbound is None or datetime.now(UTC) - last_inbound > channel.reply_window
        )
        async with self._locks.hold(f"{channel_name}:{channel_key}"):
            view = await asyncio.to_thread(
                self._store_outbound,
                conversation_id,
                channel_name,
                text,
                sender,
                window_closed,
                agent_id,
                payload,
                kb_entry,
            )
            await channel.send(
                channel_key,
                Outbound(text, message_id=view.id, sender=sender, window_closed=window_closed),
            )
        self.notify_console(conversation_id, [view])
        metrics.MESSAGES.labels(channel_name, "out").inc()
        return view

    def _store_outbound(
        self,
        conversation_id: str,
        channel: str,
        text: str,
        sender: str,
        window_closed: bool,
        agent_id: int | None,
        payload: dict[str, Any] | None,
        kb_entry: tuple[str, int] | None,
    ) -> MessageView:
        extra = {**(payload or {}), **({"sent_as": "template"} if window_closed else {})}
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            row = MessageRow(
                conversation_id=conversation_id,
                channel=channel,
                direction="out",
                sender=sender,
                text=text,
                agent_id=agent_id,
                payload=extra or None,
                kb_entry_id=kb_entry[0] if kb_entry else None,
                kb_entry_version=kb_entry[1] if kb_entry else None,
            )
            session.add(row)
            session.flush()
            return MessageView.of(row)

    def _notice_replies(self, shown: frozenset[int], language: Language) -> list[Reply]:
        """The live crisis notices this conversation has not been sent yet: a resident who
        starts or continues a conversation gets each once, after the answer to their message."""
        if self._notices is None:
            return []
        replies = []
        for notice in self._notices.live():
            if notice.id not in shown:
                notice_language, text = notice_text(notice, language)
                replies.append(
                    Reply(text=text, meta={"notice": notice.id, "language": notice_language})
                )
        return replies

    @staticmethod
    def _safety_reply(text: str, language: Language) -> list[Reply]:
        reason = safety_phrase(text)
        if reason is None:
            return []
        found = escalation(reason, phrase=True)
        return [Reply(text=render(TEXTS[reason][language], {}), meta={"handoff": found.as_json()})]

    def _waiting_text(self, language: Language) -> str:
        """What a resident handed to the queue hears: how long, or when the team is back."""
        now = datetime.now(UTC)
        if self._hours is not None and not self._hours.is_open(now):
            opening = self._hours.next_opening(now)
            if opening is not None:
                return render(TEXTS["team_closed"][language], {"when": when(opening, language)})
        with Session(self._engine) as session:
            ahead = handoff.waiting(session)
        minutes = (ahead + 1) * self._minutes_per_conversation
        key = "queue_position" if ahead else "queue_first"
        return render(TEXTS[key][language], {"ahead": str(ahead), "minutes": str(minutes)})

    def _conversation(self, inbound: Inbound) -> _Conversation:
        """The resident's open conversation on this channel (a new one if there is none), and
        the earlier turn if this message is a replay."""
        with Session(self._engine) as session, session.begin():
            row = archive.open_conversation(session, inbound.channel, inbound.channel_key)
            if row is None and inbound.channel == "webchat":
                # A closed web chat opens again: the resident still has the page in front of them.
                row = session.get(ConversationRow, inbound.channel_key)
                if row is None:
                    raise NotFound("Unknown conversation")
                row.state = "bot"
                archive.handoff_event(session, row, "reopened", "closed")
            if row is None:
                row = archive.new_conversation(session, inbound.channel, inbound.channel_key)
            language: Language = "en" if row.language == "en" else "nl"
            replayed = None
            if inbound.external_id is not None:
                earlier = archive.find_by_external_id(session, row.id, inbound.external_id)
                if earlier is not None:
                    replies = [MessageView.of(r) for r in archive.replies_to(session, earlier)]
                    replayed = Turn(
                        inbound=MessageView.of(earlier), replies=replies, meta={}, duplicate=True
                    )
            choices = archive.last_choices(session, row.id)
            said = session.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(MessageRow.conversation_id == row.id, MessageRow.direction == "in")
            )
            shown = archive.notices_sent(session, row.id)
            return _Conversation(row.id, row.state, language, replayed, choices, said or 0, shown)

    def _store(
        self, conversation_id: str, inbound: Inbound, language: Language, replies: list[Reply]
    ) -> Turn:
        meta = next((r.meta for r in replies if r.meta), {})
        intent = meta.get("intent") or {}
        handoff = next((r.meta["handoff"] for r in replies if r.meta.get("handoff")), None)
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None:
                raise NotFound("Unknown conversation")
            inbound_row = MessageRow(
                conversation_id=conversation.id,
                channel=inbound.channel,
                direction="in",
                sender="resident",
                text=inbound.text,
                language=language,
                external_id=inbound.external_id,
                intent=intent.get("name"),
                confidence=intent.get("confidence"),
                handoff_reason=handoff["reason"] if handoff else None,
            )
            session.add(inbound_row)
            reply_rows = [self._reply_row(conversation, reply, language) for reply in replies]
            session.add_all(reply_rows)
            conversation.language = language
            handed_off = bool(handoff) and conversation.state == "bot"
            if handoff and not handed_off:  # more urgent news while waiting
                conversation.urgency = max(conversation.urgency, int(handoff.get("urgency", 1)))
            if handoff and handed_off:
                conversation.state = "queued"
                conversation.handoff_reason = handoff["reason"]
                conversation.urgency = int(handoff.get("urgency", 1))
                conversation.queued_at = datetime.now(UTC)
                archive.handoff_event(session, conversation, "queued", "bot")
            session.flush()
            return Turn(
                inbound=MessageView.of(inbound_row),
                replies=[MessageView.of(row) for row in reply_rows],
                meta=meta,
                handed_off=handed_off,
            )

    @staticmethod
    def _reply_row(conversation: ConversationRow, reply: Reply, language: Language) -> MessageRow:
        meta = reply.meta
        intent = meta.get("intent") or {}
        entry = meta.get("kb_entry") or {}
        handoff = meta.get("handoff") or {}
        reply_language = meta.get("language")
        payload: dict[str, Any] = {}
        if reply.choices:
            payload["choices"] = [asdict(c) for c in reply.choices]
        if meta.get("outcome"):
            payload["outcome"] = meta["outcome"]
        if meta.get("notice"):
            payload["notice"] = meta["notice"]
        if meta.get("notices"):
            payload["notices"] = meta["notices"]
        return MessageRow(
            conversation_id=conversation.id,
            channel=conversation.channel,
            direction="out",
            sender=NOTICE_SENDER if meta.get("notice") else "bot",
            text=reply.text,
            language=reply_language if reply_language in LANGUAGES else language,
            intent=intent.get("name"),
            confidence=intent.get("confidence"),
            kb_entry_id=entry.get("id"),
            kb_entry_version=entry.get("version"),
            kb_score=entry.get("score"),
            handoff_reason=handoff.get("reason"),
            payload=payload or None,
        )
