"""Publishing changes the index step by step; it must rank exactly like an index built at once."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from bot.settings import Settings
from knowledge_base import store, wordings
from knowledge_base.embeddings import Encoder
from knowledge_base.entries import Candidate, Entry, Status
from knowledge_base.retrieval import MAX_SEGMENTS, HybridIndex
from knowledge_base.seed import read_seed
from knowledge_base.service import KnowledgeBase
from knowledge_base.tables import EntryVersionRow

QUERIES = [
    ("paspoort kwijt, nieuwe aanvragen", None),
    ("wnnr halen jullie grofvuil op", "waste"),
    ("ik ga verhuizen", None),
    ("When is my rubbish collected?", None),
    ("zandzakken ophalen hoogwater", None),
    ("mn id kwijt op vakantie wat nu", "passport_id"),
]

SANDBAGS = Entry(
    id="zandzakken",
    version=1,
    topic="crisis",
    questions={"nl": ["Waar kan ik zandzakken ophalen tegen het hoogwater?"]},
    answers={"nl": "Zandzakken haalt u bij de gemeentewerf."},
)


def ranked(candidates: Sequence[Candidate]) -> list[tuple[str, int, float]]:
    return [(c.entry.id, c.entry.version, c.score) for c in candidates]


def assert_same_rankings(search_a: HybridIndex | KnowledgeBase, b: HybridIndex) -> None:
    for query, topic in QUERIES:
        if isinstance(search_a, KnowledgeBase):
            got = search_a.decide(query, topic).candidates
        else:
            got = search_a.search(query, topic, limit=5)
        expected = b.search(query, topic, limit=len(got) or 5)
        assert [c[:2] for c in ranked(got)] == [c[:2] for c in ranked(expected)], query
        assert [c.score for c in got] == pytest.approx([c.score for c in expected], abs=2e-4)
        lifts = [c.wording_lift for c in expected]
        assert [c.wording_lift for c in got] == pytest.approx(lifts, abs=2e-4)
        assert [c.worded for c in got] == [c.worded for c in expected]


@pytest.mark.parametrize("worded", [False, True], ids=["plain", "with wordings"])
def test_an_index_changed_step_by_step_ranks_like_one_built_at_once(
    encoder: Encoder, settings: Settings, worded: bool
) -> None:
    seed = read_seed(settings.kb_seed_file)
    first, later = seed[:30], seed[30:]
    # Residents' wordings in the first segment, in merged ones and for a new entry: each
    # entry's vectors must stay with its wordings through every merge.
    wordings = (
        {
            first[0].id: ["mn id kwijt op vakantie wat nu"],
            first[2].id: ["hoe zit dat", "When is my rubbish collected?"],
            later[7].id: ["ik ga verhuizen naar een andere stad"],
            SANDBAGS.id: ["waar haal ik zakken zand bij overstroming"],
        }
        if worded
        else {}
    )
    index = HybridIndex(encoder, first, wordings=wordings)
    index = index.with_changes(later[:5], [])
    changed = replace(first[0], version=2, questions={"nl": ["mijn paspoort is gestolen"]})
    index = index.with_changes([changed, SANDBAGS], [first[1].id])
    for entry in later[5:]:  # one segment each, until the small ones are merged
        index = index.with_changes([entry], [])
    assert len(later[5:]) > MAX_SEGMENTS
    rebuilt = HybridIndex(encoder, [changed, *first[2:], *later, SANDBAGS], wordings=wordings)

    assert len(index) == len(rebuilt)
    assert_same_rankings(index, rebuilt)
    assert_same_rankings(index.compacted(), rebuilt)
    assert index.search("mijn paspoort is gestolen")[0].entry == changed


@pytest.fixture
def kb(engine: Engine, encoder: Encoder, settings: Settings) -> KnowledgeBase:
    kb = KnowledgeBase(engine, encoder)
    kb.import_seed_if_empty(settings.kb_seed_file)
    kb.reload()
    return kb


def publish(engine: Engine, entry: Entry) -> None:
    with Session(engine) as session, session.begin():
        store.import_entries(session, [entry], Status.PUBLISHED)


def set_version(engine: Engine, entry_id: str, **values: object) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(EntryVersionRow).where(EntryVersionRow.entry_id == entry_id).values(**values)
        )


def returned(kb: KnowledgeBase, question: str) -> list[str]:
    return [c.entry.id for c in kb.decide(question).candidates]


def test_a_published_entry_is_answered_after_reload(kb: KnowledgeBase, engine: Engine) -> None:
    publish(engine, SANDBAGS)
    assert "zandzakken" not in returned(kb, "zandzakken ophalen hoogwater")
    kb.reload()
    answer = kb.decide("zandzakken ophalen hoogwater").answer
    assert answer is not None
    assert (answer.entry.id, answer.entry.version) == ("zandzakken", 1)


def test_a_new_version_replaces_the_old_one(kb: KnowledgeBase, engine: Engine) -> None:
    publish(engine, SANDBAGS)
    kb.reload()
    publish(engine, replace(SANDBAGS, answers={"nl": "Zandzakken liggen bij het gemeentehuis."}))
    kb.reload()
    candidates = kb.decide("zandzakken ophalen hoogwater").candidates
    assert [(c.entry.id, c.entry.version) for c in candidates].count(("zandzakken", 2)) == 1
    assert all(c.entry.version == 2 for c in candidates if c.entry.id == "zandzakken")
    assert candidates[0].entry.answers["nl"] == "Zandzakken liggen bij het gemeentehuis."


def test_retired_and_expired_entries_are_not_returned_after_reload(
    kb: KnowledgeBase, engine: Engine
) -> None:
    publish(engine, SANDBAGS)
    kb.reload()
    expired = kb.decide("wanneer wordt het grofvuil opgehaald").candidates[0].entry.id
    set_version(engine, SANDBAGS.id, status=Status.RETIRED.value)
    set_version(engine, expired, valid_until=datetime.now(UTC) - timedelta(seconds=1))
    size = len(kb)
    kb.reload()
    assert len(kb) == size - 2
    assert SANDBAGS.id not in returned(kb, "zandzakken ophalen hoogwater")
    assert expired not in returned(kb, "wanneer wordt het grofvuil opgehaald")

    set_version(engine, SANDBAGS.id, status=Status.PUBLISHED.value)
    kb.reload()
    assert returned(kb, "zandzakken ophalen hoogwater")[0] == SANDBAGS.id


def test_reloaded_step_by_step_ranks_like_a_fresh_start(
    kb: KnowledgeBase, engine: Engine, encoder: Encoder
) -> None:
    publish(engine, SANDBAGS)
    kb.reload()
    with Session(engine) as session:
        passport = next(e for e in store.answerable_entries(session) if e.topic == "passport_id")
    publish(engine, replace(passport, questions={"nl": ["mijn paspoort is gestolen"]}))
    set_version(engine, "zandzakken", valid_until=datetime.now(UTC) - timedelta(seconds=1))
    kb.reload()
    kb.compact()

    with Session(engine) as session:
        fresh = HybridIndex(encoder, store.answerable_entries(session))
    assert len(kb) == len(fresh)
    assert_same_rankings(kb, fresh)


def test_searches_during_reloads_see_whole_indexes(kb: KnowledgeBase, engine: Engine) -> None:
    errors: list[Exception] = []
    done = threading.Event()

    def search() -> None:
        while not done.is_set():
            try:
                candidates = kb.decide("zandzakken ophalen hoogwater").candidates
                assert len({c.entry.id for c in candidates}) == len(candidates)
            except Exception as error:  # reported by the test below
                errors.append(error)
                return

    searcher = threading.Thread(target=search)
    searcher.start()
    try:
        for version in range(1, 6):
            publish(engine, replace(SANDBAGS, answers={"nl": f"Versie {version}."}))
            kb.reload()
    finally:
        done.set()
        searcher.join()
    assert errors == []
    assert kb.decide("zandzakken ophalen hoogwater").candidates[0].entry.version == 5


def approve_wordings(engine: Engine, *pairs: tuple[str, str]) -> list[int]:
    with Session(engine) as session, session.begin():
        proposed = [wordings.propose(session, e, text, "staff:carl") for e, text in pairs]
        return [wordings.approve(session, w.id, "staff:bob").id for w in proposed]


def fresh_index(engine: Engine, encoder: Encoder) -> HybridIndex:
    with Session(engine) as session:
        entries = store.answerable_entries(session)
        return HybridIndex(encoder, entries, wordings=wordings.approved(session))


def test_approved_and_removed_wordings_rank_like_a_fresh_start(
    kb: KnowledgeBase, engine: Engine, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        entries = store.answerable_entries(session)
    passport = next(e for e in entries if e.topic == "passport_id")
    waste = next(e for e in entries if e.topic == "waste")
    lost_id, *_ = approve_wordings(
        engine,
        (passport.id, "mn id kwijt op vakantie wat nu"),
        (waste.id, "When is my rubbish collected?"),
        (waste.id, "hoe zit dat"),
    )
    kb.reload()
    assert_same_rankings(kb, fresh_index(engine, encoder))
    found = {c.entry.id: c for c in kb.suggest(["mn id kwijt op vakantie wat nu"], limit=10)}
    assert found[passport.id].worded

    # A wording removed while the index is being compacted: the compacted index takes it up.
    compacted = HybridIndex.compacted

    def removed_meanwhile(index: HybridIndex) -> HybridIndex:
        result = compacted(index)
        with Session(engine) as session, session.begin():
            wordings.remove(session, lost_id, "staff:bob")
        kb.reload()
        return result

    monkeypatch.setattr(HybridIndex, "compacted", removed_meanwhile)
    kb.compact()
    monkeypatch.undo()
    assert_same_rankings(kb, fresh_index(engine, encoder))
    found = {c.entry.id: c for c in kb.suggest(["mn id kwijt op vakantie wat nu"], limit=10)}
    assert not found[passport.id].worded


def test_an_entry_retired_as_its_wording_is_approved_is_gone(
    kb: KnowledgeBase, engine: Engine
) -> None:
    size = len(kb)
    publish(engine, SANDBAGS)
    kb.reload()
    approve_wordings(engine, (SANDBAGS.id, "zakken zand halen voor de dijk"))
    set_version(engine, SANDBAGS.id, status=Status.RETIRED.value)
    kb.reload()
    assert len(kb) == size
    assert SANDBAGS.id not in returned(kb, "zakken zand halen voor de dijk")
