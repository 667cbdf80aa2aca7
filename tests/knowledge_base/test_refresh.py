"""A loket process follows changes made anywhere (another process, the command line) by the
revision counters, and the moments a version's validity begins or ends."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.settings import Settings
from knowledge_base import editorial, live, notices
from knowledge_base.editorial import Content
from knowledge_base.embeddings import Encoder
from knowledge_base.notices import NoticeContent
from knowledge_base.service import KnowledgeBase

QUESTION = "Waar kan ik zandzakken ophalen tegen het hoogwater?"


def sandbags(**extra: object) -> Content:
    return Content(
        topic="crisis",
        questions={"nl": [QUESTION]},
        answers={"nl": "Zandzakken haalt u bij de gemeentewerf."},
        **extra,  # type: ignore[arg-type]
    )


def publish(engine: Engine, content: Content) -> str:
    """Written by one editor and approved by another, as in the editor."""
    with Session(engine) as session, session.begin():
        version = editorial.save_draft(session, None, content, "staff:anna")
        editorial.submit(session, version.entry_id, 1)
        editorial.approve(session, version.entry_id, 1, "staff:bob")
        return version.entry_id


def answer(kb: KnowledgeBase) -> str | None:
    decision = kb.decide(QUESTION)
    return decision.answer.entry.id if decision.answer else None


def test_a_publish_elsewhere_is_picked_up_by_its_revision(
    engine: Engine, encoder: Encoder, settings: Settings
) -> None:
    kb = KnowledgeBase(engine, encoder)
    kb.import_seed_if_empty(settings.kb_seed_file)
    assert kb.refresh() == {live.KNOWLEDGE_BASE, live.NOTICES}  # the first look loads both
    assert kb.refresh() == set()
    entry_id = publish(engine, sandbags())
    assert answer(kb) is None
    assert kb.refresh() == {live.KNOWLEDGE_BASE}
    assert answer(kb) == entry_id
    assert kb.refresh() == set()


def test_a_scheduled_version_answers_from_its_start_without_any_change(
    engine: Engine, encoder: Encoder
) -> None:
    kb = KnowledgeBase(engine, encoder)
    starts = datetime.now(UTC) + timedelta(seconds=1.5)
    entry_id = publish(engine, sandbags(valid_from=starts))
    kb.refresh()
    assert answer(kb) is None
    time.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 0.05)
    assert kb.refresh() == {live.KNOWLEDGE_BASE}
    assert answer(kb) == entry_id


def test_a_notice_published_elsewhere_is_on_the_board_after_a_refresh(
    engine: Engine, encoder: Encoder
) -> None:
    kb = KnowledgeBase(engine, encoder)
    kb.refresh()
    now = datetime.now(UTC)
    content = NoticeContent(
        title={"nl": "Stroomstoring"},
        body={"nl": "Er is geen stroom in het centrum."},
        starts_at=now,
        ends_at=now + timedelta(hours=1),
    )
    with Session(engine) as session, session.begin():
        notice = notices.save(session, None, content, "staff:anna")
        notices.approve(session, notice.id, "staff:anna", urgent=True)
    assert kb.notices.live() == []
    assert kb.refresh() == {live.NOTICES}
    assert [n.id for n in kb.notices.live()] == [notice.id]
