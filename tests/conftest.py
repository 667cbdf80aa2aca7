"""Shared fixtures. The embedding model is real and loaded once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.database import make_engine, migrate
from bot.settings import Settings
from knowledge_base.embeddings import CachingEncoder, SentenceTransformerEncoder

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def encoder() -> CachingEncoder:
    """The real model, remembering what it encoded: every app built in a test embeds the same
    starter entries."""
    return CachingEncoder(SentenceTransformerEncoder())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    yield engine
    engine.dispose()
