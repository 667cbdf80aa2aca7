from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from knowledge_base import store
from knowledge_base.entries import Entry, Status
from knowledge_base.tables import EntryVersionRow

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_only_published_versions_are_answerable(engine: Engine, small_entries: list[Entry]) -> None:
    published, draft, in_review, retired = small_entries
    with Session(engine) as session, session.begin():
        store.import_entries(session, [published], Status.PUBLISHED)
        store.import_entries(session, [draft], Status.DRAFT)
        store.import_entries(session, [in_review], Status.IN_REVIEW)
        store.import_entries(session, [retired], Status.RETIRED)
    with Session(engine) as session:
        answerable = store.answerable_entries(session, NOW)
    assert [e.id for e in answerable] == [published.id]
    assert answerable[0].answers == published.answers
    assert answerable[0].questions == published.questions


def test_validity_window(engine: Engine, small_entries: list[Entry]) -> None:
    with Session(engine) as session, session.begin():
        store.import_entries(session, small_entries[:3], Status.PUBLISHED)
        windows = {
            small_entries[0].id: (NOW - timedelta(days=1), NOW + timedelta(days=1)),  # valid
            small_entries[1].id: (NOW + timedelta(hours=1), None),  # not yet
            small_entries[2].id: (None, NOW),  # expired at this very moment
        }
        for entry_id, (valid_from, valid_until) in windows.items():
            session.execute(
                update(EntryVersionRow)
                .where(EntryVersionRow.entry_id == entry_id)
                .values(valid_from=valid_from, valid_until=valid_until)
            )
    with Session(engine) as session:
        assert [e.id for e in store.answerable_entries(session, NOW)] == [small_entries[0].id]


def test_an_imported_validity_window_is_kept_and_a_changed_one_is_a_new_version(
    engine: Engine, small_entries: list[Entry]
) -> None:
    until = NOW + timedelta(days=3)
    crisis = replace(small_entries[0], valid_until=until)
    with Session(engine) as session, session.begin():
        store.import_entries(session, [crisis], Status.PUBLISHED)
    with Session(engine) as session:
        assert [e.valid_until for e in store.answerable_entries(session, NOW)] == [until]
        assert store.answerable_entries(session, until) == []
    with Session(engine) as session, session.begin():
        same = store.import_entries(session, [crisis], Status.PUBLISHED)
        longer = store.import_entries(
            session, [replace(crisis, valid_until=until + timedelta(days=7))], Status.PUBLISHED
        )
    assert (same["unchanged"], longer["updated"]) == (1, 1)
    with Session(engine) as session:
        (entry,) = store.answerable_entries(session, until)
    assert entry.version == 2


def test_newest_published_version_wins(engine: Engine, small_entries: list[Entry]) -> None:
    first = small_entries[0]
    with Session(engine) as session, session.begin():
        store.import_entries(session, [first], Status.PUBLISHED)
        session.add(
            EntryVersionRow(
                entry_id=first.id,
                version=2,
                status=Status.PUBLISHED.value,
                topic=first.topic,
                questions=dict(first.questions),
                answers={"nl": "Nieuw antwoord."},
            )
        )
    with Session(engine) as session:
        (entry,) = store.answerable_entries(session, NOW)
    assert (entry.version, entry.answers) == (2, {"nl": "Nieuw antwoord."})
    assert replace(entry, version=1, answers=first.answers) == first
