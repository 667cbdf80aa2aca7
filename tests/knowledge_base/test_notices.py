"""Crisis notices: four eyes or the recorded urgent path, a window, corrections that replace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from knowledge_base import live, notices
from knowledge_base.errors import FourEyes, InvalidContent, WrongState
from knowledge_base.notices import NoticeBoard, NoticeContent

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ANNA, BOB = "staff:anna", "staff:bob"


def flood(**extra: object) -> NoticeContent:
    values: dict[str, object] = {
        "title": {"nl": "Hoogwater in de Waalkade", "en": "High water on the Waalkade"},
        "body": {"nl": "Blijf weg van de kade.", "en": "Stay away from the quay."},
        "starts_at": NOW,
        "ends_at": NOW + timedelta(hours=6),
        "url": "https://www.dijkstad.example/hoogwater",
        "topics": ["Afval", "crisis"],
    }
    return NoticeContent(**(values | extra))  # type: ignore[arg-type]


def written(engine: Engine, **extra: object) -> int:
    with Session(engine) as session, session.begin():
        return notices.save(session, None, flood(**extra), ANNA).id


def test_a_notice_needs_a_second_pair_of_eyes(engine: Engine) -> None:
    notice_id = written(engine)
    with Session(engine) as session, session.begin(), pytest.raises(WrongState):
        notices.approve(session, notice_id, BOB, now=NOW)  # not offered for review yet
    with Session(engine) as session, session.begin():
        notices.submit(session, notice_id)
    with Session(engine) as session, session.begin(), pytest.raises(FourEyes):
        notices.approve(session, notice_id, ANNA, now=NOW)
    with Session(engine) as session, session.begin():
        published = notices.approve(session, notice_id, BOB, now=NOW)
    assert (published.approved_by, published.urgent) == (BOB, False)
    assert list(published.content.topics) == ["afval", "crisis"]
    assert published.state(NOW) == "live"
    assert published.state(NOW + timedelta(hours=6)) == "ended"


def test_on_the_urgent_path_one_approver_publishes_a_draft_alone(engine: Engine) -> None:
    notice_id = written(engine)
    with Session(engine) as session, session.begin():
        published = notices.approve(session, notice_id, ANNA, urgent=True, now=NOW)
    assert (published.approved_by, published.urgent) == (ANNA, True)


def test_a_correction_ends_the_notice_it_replaces(engine: Engine) -> None:
    first = written(engine)
    with Session(engine) as session, session.begin():
        notices.approve(session, first, BOB, urgent=True, now=NOW)
    with Session(engine) as session, session.begin(), pytest.raises(WrongState):
        notices.save(session, first, flood(), ANNA)  # published: not changed in place
    later = NOW + timedelta(hours=1)
    correction = written(engine, title={"nl": "Hoogwater: kade dicht"}, replaces=first)
    with Session(engine) as session, session.begin():
        notices.approve(session, correction, BOB, urgent=True, now=later)
    with Session(engine) as session:
        current = notices.current(session, later)
        replaced = notices.notice(session, first)
    assert [n.id for n in current] == [correction]
    assert (replaced.content.ends_at, replaced.ended_by) == (later, BOB)


def test_ending_a_notice_takes_it_off_every_channel(engine: Engine) -> None:
    notice_id = written(engine)
    with Session(engine) as session, session.begin():
        notices.approve(session, notice_id, BOB, urgent=True, now=NOW)
        revision = live.revisions(session)[live.NOTICES]
    board = NoticeBoard()
    with Session(engine) as session:
        board.replace(notices.current(session, NOW))
    assert [n.id for n in board.live(NOW)] == [notice_id]
    assert [n.id for n in board.on_topic("afval", NOW)] == [notice_id]
    assert board.on_topic("paspoort", NOW) == []
    assert board.live(NOW + timedelta(hours=6)) == []

    ended_at = NOW + timedelta(minutes=5)
    with Session(engine) as session, session.begin():
        notices.end(session, notice_id, BOB, now=ended_at)
        assert live.revisions(session)[live.NOTICES] == revision + 1
    with Session(engine) as session:
        assert notices.current(session, ended_at) == []
    with Session(engine) as session, session.begin(), pytest.raises(WrongState):
        notices.end(session, notice_id, BOB, now=ended_at)


def test_only_one_process_claims_the_push(engine: Engine) -> None:
    notice_id = written(engine, push_hours=12)
    with Session(engine) as session, session.begin():
        assert notices.claim_push(session, notice_id, NOW)
    with Session(engine) as session, session.begin():
        assert not notices.claim_push(session, notice_id, NOW)


def test_english_falls_back_to_dutch_when_the_notice_has_no_english() -> None:
    dutch_only = notices.Notice(
        1, notices.Status.PUBLISHED, flood(title={"nl": "Stroomstoring"}), ANNA, NOW
    )
    assert dutch_only.text_in("en") == ("nl", "Stroomstoring", "Blijf weg van de kade.")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": {"en": "Flood"}}, "Dutch"),
        ({"ends_at": NOW}, "end after it starts"),
        ({"ends_at": NOW + timedelta(days=91)}, "90 days"),
        ({"url": "ftp://x"}, "https://"),
        ({"push_hours": 100}, "72"),
        ({"body": {"nl": "x" * 1001}}, "1000"),
    ],
)
def test_a_notice_that_cannot_be_saved_says_why(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidContent, match=message):
        flood(**change).checked()
