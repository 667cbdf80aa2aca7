"""What residents ask, read from the archive for the editors' dashboard: conversations per hour
and channel, the topics answered most, the questions the bot could not answer grouped by
meaning (what to write next, or which entry's question residents ask in other words), and how
often and why conversations went to a person.

Residents' texts are shown with personal data masked, whatever the archive keeps.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import archive, personal_data
from bot.tables import ConversationRow, MessageRow
from knowledge_base.embeddings import Encoder
from knowledge_base.tables import EntryRow

if TYPE_CHECKING:
    from knowledge_base.service import KnowledgeBase

UNANSWERED_OUTCOMES: Final = ("dont_know", "choices")
"""A reply that did not answer: "I don't know", or "Do you mean A or B?"."""
MAX_UNANSWERED: Final = 1000
"""The most recent unanswered questions grouped; more would only slow the dashboard."""
SAME_QUESTION: Final = 0.62
"""From this cosine similarity with a group's mean on, a question joins the group. On the
bundled model with the glossary, "waar haal ik zandzakken" and "zandzakken ophalen waar?" score
0.75, "Mijn BSN is [BSN], waar kan ik zandzakken ophalen" 0.64 and 0.71 against those two, and
any of them against "hoe laat gaat het zwembad open" or "paspoort kwijt" 0.2 to 0.4."""
EXAMPLES_PER_GROUP: Final = 5
SIMILAR_FOR: Final = 20
"""The biggest groups are shown the entries most like them: a group the knowledge base does
answer, in other words, needs residents' wordings of that entry (knowledge_base/wordings.py),
not a new one. An editor judges: the score does not tell (measured on the starter entries and
their wordings, "waar kan ik zandzakken ophalen" is nearer the bulky waste, 0.41, than "mag mijn
camper voor de deur staan als ik hier woon" is to the residents' parking permit, 0.33)."""
SIMILAR: Final = 3
IDS_PER_QUERY: Final = 500
"""Below every database's limit on bound parameters."""


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    zone: ZoneInfo

    @property
    def hourly(self) -> bool:
        """Hour by hour for up to three days, else day by day."""
        return self.end - self.start <= timedelta(days=3)


def _bucket(moment: datetime, period: Period) -> str:
    local = moment.astimezone(period.zone)
    if period.hourly:
        return local.replace(minute=0, second=0, microsecond=0).isoformat()
    return local.date().isoformat()


def conversations_over_time(session: Session, period: Period) -> list[dict[str, Any]]:
    """Conversations started per hour (or day) and channel, in the municipality's time."""
    rows = session.execute(
        select(ConversationRow.created_at, ConversationRow.channel).where(
            ConversationRow.created_at >= period.start, ConversationRow.created_at < period.end
        )
    ).tuples()
    counts: Counter[tuple[str, str]] = Counter(
        (_bucket(created_at, period), channel) for created_at, channel in rows
    )
    return [
        {"period": bucket, "channel": channel, "conversations": n}
        for (bucket, channel), n in sorted(counts.items())
    ]


@dataclass(frozen=True)
class Reply:
    """What the dashboard needs of one of the bot's replies."""

    id: int
    conversation_id: str
    kb_entry_id: str | None
    handoff_reason: str | None
    outcome: str | None


def answers(session: Session, period: Period) -> list[Reply]:
    """The bot's replies in the period."""
    rows = session.execute(
        select(
            MessageRow.id,
            MessageRow.conversation_id,
            MessageRow.kb_entry_id,
            MessageRow.handoff_reason,
            MessageRow.payload,
        ).where(
            MessageRow.direction == "out",
            MessageRow.sender == "bot",
            MessageRow.created_at >= period.start,
            MessageRow.created_at < period.end,
        )
    ).tuples()
    return [
        Reply(id_, conversation_id, entry_id, reason, (payload or {}).get("outcome"))
        for id_, conversation_id, entry_id, reason, payload in rows
    ]


def outcomes(replies: Sequence[Reply]) -> dict[str, int]:
    """The bot's replies by what they were: answer, choices, dont_know, handoff, other."""
    counts: Counter[str] = Counter()
    for reply in replies:
        if reply.handoff_reason:
            counts["handoff"] += 1
        elif reply.kb_entry_id:
            counts["answer"] += 1
        else:
            counts[reply.outcome or "other"] += 1
    return dict(counts)


def top_topics(session: Session, replies: Sequence[Reply], limit: int = 10) -> list[dict[str, Any]]:
    """The knowledge-base topics answered most, with their most asked entries."""
    by_entry = Counter(r.kb_entry_id for r in replies if r.kb_entry_id)
    topic_of = dict(
        session.execute(select(EntryRow.id, EntryRow.topic).where(EntryRow.id.in_(by_entry)))
        .tuples()
        .all()
    )
    topics: Counter[str] = Counter()
    entries: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for entry_id, n in by_entry.items():
        topic = topic_of.get(entry_id, "?")
        topics[topic] += n
        entries[topic][entry_id] = n
    return [
        {
            "topic": topic,
            "answers": n,
            "entries": [{"entry_id": e, "answers": k} for e, k in entries[topic].most_common(3)],
        }
        for topic, n in topics.most_common(limit)
    ]


def unanswered_questions(
    session: Session, replies: Sequence[Reply], limit: int = MAX_UNANSWERED
) -> list[tuple[str, datetime]]:
    """The residents' messages that got "I don't know" or a choice, newest first, masked."""
    missed = sorted(
        (r for r in replies if r.outcome in UNANSWERED_OUTCOMES), key=lambda r: r.id, reverse=True
    )[:limit]
    by_conversation: defaultdict[str, list[int]] = defaultdict(list)
    for reply in missed:
        by_conversation[reply.conversation_id].append(reply.id)
    inbound: defaultdict[str, list[tuple[int, str, datetime]]] = defaultdict(list)
    conversation_ids = list(by_conversation)
    for start in range(0, len(conversation_ids), IDS_PER_QUERY):
        rows = session.execute(
            select(
                MessageRow.id, MessageRow.conversation_id, MessageRow.text, MessageRow.created_at
            )
            .where(
                MessageRow.conversation_id.in_(conversation_ids[start : start + IDS_PER_QUERY]),
                MessageRow.direction == "in",
            )
            .order_by(MessageRow.id)
        ).tuples()
        for message_id, conversation_id, text, created_at in rows:
            inbound[conversation_id].append((message_id, text, created_at))
    questions: list[tuple[str, datetime]] = []
    for conversation_id, reply_ids in by_conversation.items():
        messages = inbound[conversation_id]
        ids = [message_id for message_id, _, _ in messages]
        for reply_id in reply_ids:
            position = bisect.bisect_left(ids, reply_id) - 1
            if position >= 0:
                _, text, created_at = messages[position]
                questions.append((personal_data.mask(text), created_at))
    questions.sort(key=lambda q: q[1], reverse=True)
    return questions


def group_questions(
    questions: Sequence[tuple[str, datetime]], encoder: Encoder
) -> list[dict[str, Any]]:
    """Questions asked in other words put together, biggest group first: each question joins
    the group whose mean it is most like, from `SAME_QUESTION` on, else starts one."""
    if not questions:
        return []
    texts = [text for text, _ in questions]
    vectors = encoder.encode(texts)
    sums: list[Any] = []
    members: list[list[int]] = []
    for i, vector in enumerate(vectors):
        if sums:
            centres = np.vstack(sums)
            centres /= np.linalg.norm(centres, axis=1, keepdims=True)
            similarity = centres @ vector
            best = int(np.argmax(similarity))
            if similarity[best] >= SAME_QUESTION:
                members[best].append(i)
                sums[best] = sums[best] + vector
                continue
        sums.append(vector.copy())
        members.append([i])
    groups: list[dict[str, Any]] = []
    for group in members:
        examples = list(dict.fromkeys(texts[i] for i in group))
        groups.append(
            {
                "count": len(group),
                "question": texts[group[0]],
                "examples": examples[:EXAMPLES_PER_GROUP],
                "last_asked": max(questions[i][1] for i in group).isoformat(),
            }
        )
    groups.sort(key=lambda g: (-int(g["count"]), str(g["question"])))
    return groups


def add_similar_entries(groups: Sequence[dict[str, Any]], knowledge_base: KnowledgeBase) -> None:
    """Give each of the biggest groups the entries most like its questions (`similar`)."""
    for group in groups[:SIMILAR_FOR]:
        group["similar"] = [
            {"entry_id": c.entry.id, "question": c.entry.question_in("nl")}
            for c in knowledge_base.suggest(group["examples"], limit=SIMILAR)
        ]


def handoffs(session: Session, period: Period) -> dict[str, Any]:
    """How many conversations went to a person, out of those started, and why."""
    started = session.scalars(
        select(ConversationRow.id).where(
            ConversationRow.created_at >= period.start, ConversationRow.created_at < period.end
        )
    ).all()
    queued = session.execute(
        select(MessageRow.conversation_id, MessageRow.handoff_reason).where(
            MessageRow.direction == archive.EVENT,
            MessageRow.text == "handoff:queued",
            MessageRow.created_at >= period.start,
            MessageRow.created_at < period.end,
        )
    ).tuples()
    reasons: Counter[str] = Counter()
    conversations = set()
    for conversation_id, reason in queued:
        conversations.add(conversation_id)
        reasons[reason or "?"] += 1
    total = len(started)
    return {
        "conversations": total,
        "handed_off": len(conversations),
        "rate": round(len(conversations) / total, 4) if total else 0.0,
        "reasons": [{"reason": r, "count": n} for r, n in reasons.most_common()],
    }
