"""`loket bench retrieval`: query latency at growing knowledge-base sizes, publish-to-answerable.

Large knowledge bases are synthesised from the starter entries: each copy gets its own id and
questions made of the starter questions with words from other entries mixed in, so the index
holds as many distinct texts as a real knowledge base of that size.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.database import make_engine, migrate
from knowledge_base import store
from knowledge_base.embeddings import Encoder
from knowledge_base.entries import Entry, Status
from knowledge_base.seed import read_seed
from knowledge_base.service import KnowledgeBase

SIZES = (200, 2_000, 20_000)
QUERIES = 200


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


def measure(encoder: Encoder, seed_file: Path, queries: list[str], size: int) -> dict[str, Any]:
    rng = random.Random(size)  # noqa: S311 (reproducible test data, not secrets)
    seed = read_seed(seed_file)
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as workdir:
        engine = make_engine(f"sqlite:///{Path(workdir) / 'bench.db'}")
        migrate(engine)
        with Session(engine) as session, session.begin():
            store.import_entries(session, synthesise(seed, size, rng), Status.PUBLISHED)
        kb = KnowledgeBase(engine, encoder)
        started = time.perf_counter()
        kb.reload()
        build = time.perf_counter() - started
        for query in queries[:5]:  # warm up
            kb.decide(query)
        latencies = []
        for query in queries:
            started = time.perf_counter()
            kb.decide(query)
            latencies.append((time.perf_counter() - started) * 1000)

        # Publish a new entry and ask its question until it is the answer.
        new = Entry(
            id="bench-nieuw",
            version=1,
            topic="crisis",
            questions={"nl": ["waar kan ik zandzakken ophalen tegen het hoogwater"]},
            answers={"nl": "Zandzakken haalt u bij de gemeentewerf."},
        )
        started = time.perf_counter()
        with Session(engine) as session, session.begin():
            store.import_entries(session, [new], Status.PUBLISHED)
        kb.reload()
        decision = kb.decide("zandzakken ophalen hoogwater")
        publish = time.perf_counter() - started
        answered = decision.answer is not None and decision.answer.entry.id == new.id
        engine.dispose()
    return {
        "entries": size,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "index_build_s": round(build, 2),
        "publish_to_answerable_s": round(publish, 2) if answered else None,
    }
