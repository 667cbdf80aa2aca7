"""Vectors of the entries' texts are stored in the database: a second knowledge base on the
same database (a restart, another worker) reads them instead of encoding, on SQLite and on the
machine's real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from bot.database import make_engine, migrate
from knowledge_base import store
from knowledge_base.embeddings import (
    Encoder,
    RecentEncoder,
    SentenceTransformerEncoder,
    Vectors,
    model_identity,
)
from knowledge_base.entries import Entry, Status
from knowledge_base.service import KnowledgeBase
from knowledge_base.tables import EmbeddingRow
from knowledge_base.vectors import StoredVectors

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class CountingEncoder:
    """The real encoder, counting the texts it is asked to encode, under a model identity."""

    def __init__(self, encoder: Encoder, identity: str) -> None:
        self.encoder = encoder
        self.model_identity = identity
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.texts += list(texts)
        return self.encoder.encode(texts)


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    schema = f"loket_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{SERVER}?options=-csearch_path%3D{schema}")
    migrate(engine)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Engine:
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


def published(engine: Engine, entries: list[Entry]) -> None:
    with Session(engine) as session, session.begin():
        store.import_entries(session, entries, Status.PUBLISHED)


def stored_rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(EmbeddingRow)) or 0


def test_a_second_knowledge_base_encodes_nothing_already_stored(
    database: Engine, encoder: Encoder, small_entries: list[Entry]
) -> None:
    published(database, small_entries[:3])
    first_encoder = CountingEncoder(encoder, "model-a")
    first = KnowledgeBase(database, RecentEncoder(first_encoder))
    first.reload()
    texts = first._index.texts
    assert sorted(first_encoder.texts) == sorted(set(texts))
    assert stored_rows(database) == len(set(texts))

    published(database, small_entries[3:])
    second_encoder = CountingEncoder(encoder, "model-a")
    second = KnowledgeBase(database, RecentEncoder(second_encoder))
    second.reload()
    new_texts = set(second._index.texts) - set(texts)
    assert new_texts
    assert sorted(second_encoder.texts) == sorted(new_texts)

    third_encoder = CountingEncoder(encoder, "model-a")
    third = KnowledgeBase(database, third_encoder)
    third.reload()
    assert third_encoder.texts == []
    question = "wanneer halen jullie het grofvuil op"
    assert third.decide(question) == second.decide(question)
    # A question is never stored: only the entries' texts are.
    assert third_encoder.texts == [question]
    assert stored_rows(database) == len(set(third._index.texts))


def test_another_model_ignores_the_vectors_of_the_first(
    database: Engine, encoder: Encoder, small_entries: list[Entry]
) -> None:
    published(database, small_entries)
    first = CountingEncoder(encoder, "model-a")
    KnowledgeBase(database, first).reload()
    other = CountingEncoder(encoder, "model-b")
    KnowledgeBase(database, other).reload()
    assert sorted(other.texts) == sorted(first.texts)
    assert stored_rows(database) == 2 * len(first.texts)


def test_vectors_round_trip_exactly(database: Engine, encoder: Encoder) -> None:
    texts = ["Hoe vraag ik een paspoort aan?", "grofvuil", "één café, €5"]
    vectors = encoder.encode(texts)
    StoredVectors(database, "model-a").save(dict(zip(texts, vectors, strict=True)))
    StoredVectors(database, "model-a").save({texts[0]: vectors[1]})  # already there: kept

    loaded = StoredVectors(database, "model-a").load([*texts, "niet opgeslagen"])
    assert set(loaded) == set(texts)
    for text_, vector in zip(texts, vectors, strict=True):
        assert loaded[text_].dtype == np.float32
        assert loaded[text_].tobytes() == vector.tobytes()
    assert StoredVectors(database, "model-b").load(texts) == {}


def test_without_a_model_identity_nothing_is_stored(
    engine: Engine, encoder: Encoder, small_entries: list[Entry]
) -> None:
    published(engine, small_entries)
    KnowledgeBase(engine, Anonymous(encoder)).reload()
    assert stored_rows(engine) == 0


class Anonymous:
    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self.encoder.encode(texts)


def test_the_model_identity_is_of_the_weights_not_the_name() -> None:
    model = SentenceTransformerEncoder()
    identity = model.model_identity
    assert identity == SentenceTransformerEncoder().model_identity
    assert model_identity(RecentEncoder(model)) == identity
    weight = next(iter(model._model.parameters()))
    weight.data[0, 0] += 1.0
    assert model._identity("same name") != identity


def test_the_text_encoder_stores_batches_never_a_single_message(
    engine: Engine, encoder: Encoder
) -> None:
    counting = CountingEncoder(encoder, "model-a")
    kb = KnowledgeBase(engine, RecentEncoder(counting))
    examples = ["ik wil een mens spreken", "wanneer komt het grofvuil"]
    kb.text_encoder.encode(examples)
    kb.text_encoder.encode(["mijn BSN is 111222333"])
    assert stored_rows(engine) == len(examples)
    counting.texts.clear()
    KnowledgeBase(engine, RecentEncoder(counting)).text_encoder.encode(examples)
    assert counting.texts == []
