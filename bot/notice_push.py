"""A crisis notice sent once to the residents who wrote lately, on their own channel.

When a notice with `push_hours` is live, one loket process claims it (`notices.claim_push`) and
sends it to every resident whose last message came in the last `push_hours`, on Telegram and
WhatsApp; the web chat shows live notices itself. WhatsApp's 24-hour rule is kept: a resident
whose window has closed is skipped, not sent a template. A resident who already got the notice
in their conversation does not get it again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot import archive
from bot.audit import record_audit
from bot.router import NOTICE_SENDER, Router, notice_text
from bot.tables import ConversationRow, MessageRow
from knowledge_base import notices
from knowledge_base.notices import Notice
from knowledge_base.text import Language

logger = logging.getLogger(__name__)

PUSH_PER_SECOND: Final = 20
"""Below Telegram's limit for messages to many chats (about 30 a second)."""
PUSHED_CHANNELS: Final = ("telegram", "whatsapp")


@dataclass(frozen=True)
class Recipient:
    conversation_id: str
    language: Language


def recipients(
    session: Session, router: Router, notice: Notice, hours: int, now: datetime
) -> list[Recipient]:
    """Each resident's latest conversation with a message from them in the last `hours`, that
    the channel may still reach and that was not sent this notice."""
    last_inbound = (
        select(MessageRow.conversation_id, func.max(MessageRow.created_at).label("at"))
        .where(MessageRow.direction == "in", MessageRow.created_at >= now - timedelta(hours=hours))
        .group_by(MessageRow.conversation_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ConversationRow.id,
            ConversationRow.channel,
            ConversationRow.channel_key,
            ConversationRow.language,
            last_inbound.c.at,
        )
        .join(last_inbound, last_inbound.c.conversation_id == ConversationRow.id)
        .where(ConversationRow.channel.in_(PUSHED_CHANNELS))
        .order_by(last_inbound.c.at)
    ).all()
    latest: dict[tuple[str, str], tuple[str, str, datetime]] = {}
    for conversation_id, channel, key, language, at in rows:
        latest[(channel, key)] = (conversation_id, language, at)
    found = []
    for (channel, _), (conversation_id, language, at) in latest.items():
        if not router.can_reach(channel, at, now):
            continue
        if notice.id in archive.notices_sent(session, conversation_id):
            continue
        found.append(Recipient(conversation_id, "en" if language == "en" else "nl"))
    return found


async def push(engine: Engine, router: Router, notice: Notice) -> int | None:
    """Send `notice` to recent residents if this process is the one to; how many got it (None
    when another process took it on, or the notice asks for no push)."""
    hours = notice.content.push_hours
    if hours is None or notice.pushed:
        return None
    now = datetime.now(UTC)

    def claim() -> list[Recipient] | None:
        with Session(engine) as session, session.begin():
            if not notices.claim_push(session, notice.id, now):
                return None
            return recipients(session, router, notice, hours, now)

    found = await asyncio.to_thread(claim)
    if found is None:
        return None
    sent = 0
    for recipient in found:
        language, text = notice_text(notice, recipient.language)
        try:
            await router.deliver(
                recipient.conversation_id,
                text,
                sender=NOTICE_SENDER,
                payload={"notice": notice.id, "pushed": True, "language": language},
            )
            sent += 1
        except Exception as error:  # one resident's channel failing must not stop the rest
            logger.warning("Notice %d not delivered: %s", notice.id, type(error).__name__)
        await asyncio.sleep(1 / PUSH_PER_SECOND)

    def audit() -> None:
        with Session(engine) as session, session.begin():
            details = {"residents": len(found), "sent": sent, "hours": hours}
            record_audit(session, "system", "notice.push", str(notice.id), details)

    await asyncio.to_thread(audit)
    logger.info("Notice %d sent to %d of %d recent residents", notice.id, sent, len(found))
    return sent
