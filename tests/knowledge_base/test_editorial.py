"""The editors' workflow: drafts and versions in review never answer, the author cannot approve
their own version, and what residents get follows publishing, scheduling, rollback and
retirement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from knowledge_base import editorial, live, store
from knowledge_base.editorial import Content
from knowledge_base.errors import FourEyes, InvalidContent, UnknownEntry, WrongState

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ANNA, BOB = "staff:anna", "staff:bob"


def content(answer: str = "Zandzakken haalt u bij de gemeentewerf.", **extra: object) -> Content:
    return Content(
        topic="crisis",
        questions={"nl": ["Waar haal ik zandzakken?", "  ", "zandzakken ophalen"]},
        answers={"nl": answer},
        **extra,  # type: ignore[arg-type]
    )


def answering(engine: Engine, entry_id: str, at: datetime = NOW) -> tuple[int, str] | None:
    """(version, Dutch answer) residents get at `at`."""
    with Session(engine) as session:
        found = {e.id: e for e in store.answerable_entries(session, at)}
    entry = found.get(entry_id)
    return (entry.version, entry.answers["nl"]) if entry else None


def draft(
    engine: Engine, text: str = "Zandzakken haalt u bij de gemeentewerf.", **extra: object
) -> str:
    with Session(engine) as session, session.begin():
        return editorial.save_draft(session, None, content(text, **extra), ANNA).entry_id


def write(
    engine: Engine, entry_id: str | None, text: str, based_on: int | None, **extra: object
) -> int:
    with Session(engine) as session, session.begin():
        version = editorial.save_draft(session, entry_id, content(text, **extra), ANNA, based_on)
        return version.version


def publish(engine: Engine, entry_id: str, version: int, at: datetime = NOW) -> None:
    with Session(engine) as session, session.begin():
        editorial.submit(session, entry_id, version)
        editorial.approve(session, entry_id, version, BOB, now=at)


def test_a_draft_and_a_version_in_review_never_answer(engine: Engine) -> None:
    entry_id = draft(engine)
    assert entry_id == "waar-haal-ik-zandzakken"
    assert answering(engine, entry_id) is None
    with Session(engine) as session, session.begin():
        editorial.submit(session, entry_id, 1)
    assert answering(engine, entry_id) is None
    with Session(engine) as session, session.begin():
        version = editorial.approve(session, entry_id, 1, BOB, now=NOW)
    assert (version.author, version.approved_by) == (ANNA, BOB)
    assert answering(engine, entry_id) == (1, "Zandzakken haalt u bij de gemeentewerf.")


def test_the_author_cannot_approve_their_own_version(engine: Engine) -> None:
    entry_id = draft(engine)
    with Session(engine) as session, session.begin():
        editorial.submit(session, entry_id, 1)
    with Session(engine) as session, session.begin(), pytest.raises(FourEyes):
        editorial.approve(session, entry_id, 1, ANNA, now=NOW)
    assert answering(engine, entry_id) is None


def test_only_a_version_in_review_is_approved(engine: Engine) -> None:
    entry_id = draft(engine)
    with Session(engine) as session, session.begin(), pytest.raises(WrongState):
        editorial.approve(session, entry_id, 1, BOB, now=NOW)
    with Session(engine) as session, session.begin(), pytest.raises(UnknownEntry):
        editorial.approve(session, entry_id, 7, BOB, now=NOW)


def test_a_new_version_replaces_the_answer_only_when_approved(engine: Engine) -> None:
    entry_id = draft(engine, "Eerste antwoord.")
    publish(engine, entry_id, 1)
    second = write(engine, entry_id, "Tweede antwoord.", based_on=1)
    assert answering(engine, entry_id) == (1, "Eerste antwoord.")
    publish(engine, entry_id, second)
    assert answering(engine, entry_id) == (2, "Tweede antwoord.")
    with Session(engine) as session:
        states = {v.version: v.status.value for v in editorial.versions(session, entry_id)}
    assert states == {1: "retired", 2: "published"}


def test_a_change_on_an_outdated_version_is_refused(engine: Engine) -> None:
    entry_id = draft(engine, "Eerste antwoord.")
    write(engine, entry_id, "Tweede antwoord.", based_on=1)
    with pytest.raises(WrongState, match="version 2"):
        write(engine, entry_id, "Ook een tweede antwoord.", based_on=1)


def test_an_older_version_cannot_be_approved_over_a_newer_published_one(engine: Engine) -> None:
    entry_id = draft(engine, "Eerste antwoord.")
    second = write(engine, entry_id, "Tweede antwoord.", based_on=1)
    with Session(engine) as session, session.begin():
        editorial.submit(session, entry_id, 1)
    publish(engine, entry_id, second)
    with Session(engine) as session, session.begin(), pytest.raises(WrongState):
        editorial.approve(session, entry_id, 1, BOB, now=NOW)


def test_a_temporary_version_gives_way_to_the_earlier_answer_when_it_ends(engine: Engine) -> None:
    entry_id = draft(engine, "De Dorpsstraat is open.")
    publish(engine, entry_id, 1)
    closed_until = NOW + timedelta(days=3)
    temporary = write(
        engine,
        entry_id,
        "De Dorpsstraat is dicht tot vrijdag.",
        based_on=1,
        valid_until=closed_until,
    )
    publish(engine, entry_id, temporary)
    assert answering(engine, entry_id) == (2, "De Dorpsstraat is dicht tot vrijdag.")
    assert answering(engine, entry_id, closed_until) == (1, "De Dorpsstraat is open.")


def test_a_scheduled_version_takes_over_when_it_starts(engine: Engine) -> None:
    entry_id = draft(engine, "Oude tarieven.")
    publish(engine, entry_id, 1)
    starts = NOW + timedelta(days=30)
    later = write(engine, entry_id, "Nieuwe tarieven.", based_on=1, valid_from=starts)
    publish(engine, entry_id, later)
    assert answering(engine, entry_id) == (1, "Oude tarieven.")
    assert answering(engine, entry_id, starts) == (2, "Nieuwe tarieven.")
    with Session(engine) as session:
        versions = editorial.versions(session, entry_id)
        in_force = editorial.answering_version(session, entry_id, NOW)
    assert [v.state(in_force, NOW) for v in versions] == ["scheduled", "live"]
    with Session(engine) as session:
        assert store.next_change(session, NOW) == starts


def test_a_rollback_publishes_the_earlier_text_as_a_new_version(engine: Engine) -> None:
    entry_id = draft(engine, "Goed antwoord.")
    publish(engine, entry_id, 1)
    publish(engine, entry_id, write(engine, entry_id, "Fout antwoord.", based_on=1))
    with Session(engine) as session, session.begin():
        restored = editorial.rollback(session, entry_id, 1, BOB, now=NOW)
    assert (restored.version, restored.based_on, restored.approved_by) == (3, 1, BOB)
    assert answering(engine, entry_id) == (3, "Goed antwoord.")
    unpublished = write(engine, entry_id, "Concept.", based_on=3)
    with Session(engine) as session, session.begin(), pytest.raises(WrongState):
        editorial.rollback(session, entry_id, unpublished, BOB, now=NOW)


def test_a_retired_entry_answers_nothing(engine: Engine) -> None:
    entry_id = draft(engine)
    publish(engine, entry_id, 1)
    with Session(engine) as session, session.begin():
        assert editorial.retire(session, entry_id) == [1]
    assert answering(engine, entry_id) is None
    with Session(engine) as session, session.begin(), pytest.raises(WrongState):
        editorial.retire(session, entry_id)


def test_every_publishing_step_raises_the_revision(engine: Engine) -> None:
    def revision() -> int:
        with Session(engine) as session:
            return live.revisions(session)[live.KNOWLEDGE_BASE]

    start = revision()
    entry_id = draft(engine)
    assert revision() == start  # a draft changes nothing residents see
    publish(engine, entry_id, 1)
    with Session(engine) as session, session.begin():
        editorial.rollback(session, entry_id, 1, BOB, now=NOW)
    with Session(engine) as session, session.begin():
        editorial.retire(session, entry_id)
    assert revision() == start + 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"topic": "Twee woorden"}, "topic"),
        ({"questions": {"en": ["Where?"]}}, "question in Dutch"),
        ({"answers": {"en": "Here."}}, "answer in Dutch"),
        ({"source_url": "javascript:alert(1)"}, "https://"),
        ({"answers": {"nl": "x" * 4001}}, "4000"),
        (
            {"valid_from": NOW, "valid_until": NOW - timedelta(hours=1)},
            "after 'valid from'",
        ),
        ({"valid_from": datetime(2026, 12, 1, 12)}, "time zone"),
    ],
)
def test_content_that_cannot_be_saved_says_why(change: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "topic": "afval",
        "questions": {"nl": ["Wanneer?"]},
        "answers": {"nl": "Morgen."},
    }
    with pytest.raises(InvalidContent, match=message):
        Content(**(values | change)).checked()  # type: ignore[arg-type]
