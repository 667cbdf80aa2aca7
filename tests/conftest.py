"""Shared fixtures. The embedding model is real and loaded once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from actions.escalation import EscalationClassifier, read_examples
from bot.app import configured_encoder
from bot.database import make_engine, migrate
from bot.settings import Settings
from knowledge_base.embeddings import CachingEncoder, Encoder, with_glossary
from knowledge_base.glossary import load_glossary

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def model() -> Encoder:
    """The embedding model as the application loads it (the tuned one, in its runtime)."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return configured_encoder(settings)


@pytest.fixture(scope="session")
def encoder(model: Encoder) -> CachingEncoder:
    """The model the application reads with (through the glossary), remembering what it
    encoded: every app built in a test embeds the same starter entries."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return CachingEncoder(with_glossary(model, load_glossary(settings.glossary)))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def classifier(encoder: CachingEncoder) -> EscalationClassifier:
    """The escalation classifier, trained on the project's own examples as at start-up."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    nlu = sorted((settings.rasa_project_dir / "data" / "nlu").glob("*.yml"))
    return EscalationClassifier(encoder, read_examples(settings.escalation_examples, nlu))
