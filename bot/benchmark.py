"""`loket bench retrieval`: query latency at growing knowledge-base sizes, publish-to-answerable.

Large knowledge bases are synthesised from the starter entries: each copy gets its own id and
questions made of the starter questions with words from other entries mixed in, so the index
holds as many questions as a real knowledge base of that size. Copies share their answers, so
building the index embeds about half the texts a real one would (searching still reads every
variant's vector).

The index is built twice: first with every text encoded (and its vector stored), then by a
second knowledge base on the same database, as a restart or another worker builds it.

Publish-to-answerable is measured the way the application does it: write a new published entry
to the database, call `KnowledgeBase.reload()`, and ask a resident's question until that entry
is the answer; five times, one new entry each.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.app import freeze_loaded_objects
from bot.database import make_engine, migrate
from knowledge_base import store
from knowledge_base.embeddings import Encoder
from knowledge_base.entries import Entry, Status
from knowledge_base.glossary import Glossary
from knowledge_base.seed import read_seed
from knowledge_base.service import KnowledgeBase

SIZES = (200, 2_000, 20_000)
QUERIES = 200
PUBLISH_TIMEOUT_S = 30.0


def synthesise(seed: list[Entry], size: int, rng: random.Random) -> list[Entry]:
    vocabulary = sorted({w for e in seed for _, q in e.all_questions() for w in q.split()})
    entries = []
    for number in range(size):
        base = seed[number % len(seed)]
        questions = [
            " ".join([*q.split(), *rng.sample(vocabulary, 3)]) for q in base.questions["nl"][:2]
        ]
        entries.append(
            replace(base, id=f"{base.id}-{number}", questions={"nl": questions}, external_id=None)
        )
    return entries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


NEW_ENTRIES = (
    ("waar kan ik zandzakken ophalen tegen het hoogwater", "zandzakken ophalen hoogwater"),
    ("waar haal ik strooizout als het glad is", "strooizout halen bij gladheid"),
    ("waar is de noodopvang tijdens de stroomstoring", "noodopvang stroomstoring"),
    ("waar krijg ik drinkwater tijdens het watertekort", "drinkwater bij watertekort"),
    ("wat moet ik doen met omgewaaide bomen na de storm", "omgewaaide bomen na storm"),
)
"""Entries published one after the other (their question, and how a resident asks it)."""


def _new_entry(number: int, question: str) -> Entry:
    return Entry(
        id=f"bench-nieuw-{number}",
        version=1,
        topic="crisis",
        questions={"nl": [question]},
        answers={"nl": f"Daarover leest u alles op onze crisispagina ({number})."},
    )


def publish(engine: Engine, kb: KnowledgeBase, entry: Entry, query: str) -> float | None:
    """Seconds from writing a new published entry to the database until a question gets it as
    the answer, through the reload the application uses; None when it is not answered."""
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        store.import_entries(session, [entry], Status.PUBLISHED)
    kb.reload()
    while time.perf_counter() - started < PUBLISH_TIMEOUT_S:
        decision = kb.decide(query)
        if decision.answer is not None and decision.answer.entry.id == entry.id:
            return round(time.perf_counter() - started, 3)
    return None


def measure(
    encoder: Encoder,
    seed_file: Path,
    queries: list[str],
    size: int,
    glossary: Glossary | None = None,
) -> dict[str, Any]:
    rng = random.Random(size)  # noqa: S311 (reproducible test data, not secrets)
    seed = read_seed(seed_file)
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as workdir:
        engine = make_engine(f"sqlite:///{Path(workdir) / 'bench.db'}")
        migrate(engine)
        with Session(engine) as session, session.begin():
            store.import_entries(session, synthesise(seed, size, rng), Status.PUBLISHED)
        kb = KnowledgeBase(engine, encoder, glossary=glossary)
        started = time.perf_counter()
        kb.reload()
        build = time.perf_counter() - started
        # A restart, or another worker: the vectors stored by the first build are read.
        started = time.perf_counter()
        KnowledgeBase(engine, encoder, glossary=glossary).reload()
        warm_build = time.perf_counter() - started
        freeze_loaded_objects()  # as `loket run` does once started
        for query in queries[:5]:  # warm up
            kb.decide(query)
        latencies = []
        for query in queries:
            started = time.perf_counter()
            kb.decide(query)
            latencies.append((time.perf_counter() - started) * 1000)

        published = [
            publish(engine, kb, _new_entry(number, question), query)
            for number, (question, query) in enumerate(NEW_ENTRIES)
        ]
        engine.dispose()
    # Every new entry must be answered; one that is not makes the figure None.
    publish_times = [t for t in published if t is not None]
    all_answered = len(publish_times) == len(published)
    return {
        "entries": size,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "index_build_s": round(build, 2),
        "index_build_stored_vectors_s": round(warm_build, 2),
        "publish_to_answerable_s": statistics.median(publish_times) if all_answered else None,
        "publish_to_answerable_max_s": max(publish_times) if all_answered else None,
    }
