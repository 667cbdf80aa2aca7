"""What Rasa is told about its stores."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.supervisor import LOCK_STORE_CREDENTIAL, TRACKER_STORE_CREDENTIAL, rasa_endpoints

ACTIONS = "http://127.0.0.1:8000/webhook"


def test_development_keeps_rasa_in_memory() -> None:
    endpoints, secrets = rasa_endpoints(ACTIONS)
    assert endpoints == {"action_endpoint": {"url": ACTIONS}}
    assert secrets == {}


def test_postgresql_tracker_store_and_redis_lock_store_without_passwords_on_disk() -> None:
    endpoints, secrets = rasa_endpoints(
        ACTIONS,
        "postgresql+psycopg://rasa:geheim%21@db.internal:5433/loket?options=-csearch_path%3Drasa",
        "rediss://:r3dis@cache.internal:6380/2",
    )
    assert endpoints["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "db": "loket",
        "url": "db.internal",
        "port": 5433,
        "username": "rasa",
        "password": f"${{{TRACKER_STORE_CREDENTIAL}}}",
        "query": {"options": "-csearch_path=rasa"},
    }
    assert endpoints["lock_store"] == {
        "type": "redis",
        "url": "cache.internal",
        "port": 6380,
        "db": 2,
        "key_prefix": "rasa",
        "use_ssl": True,
        "password": f"${{{LOCK_STORE_CREDENTIAL}}}",
    }
    assert secrets == {TRACKER_STORE_CREDENTIAL: "geheim!", LOCK_STORE_CREDENTIAL: "r3dis"}


PRODUCTION = {
    "mode": "production",
    "archive_subject_secret": "s" * 32,
    "archive_key": "k" * 44,
    "database_url": "postgresql+psycopg://loket@127.0.0.1/loket",
}


def test_production_rasa_uses_the_application_database_unless_told_otherwise(
    settings: Settings,
) -> None:
    production = Settings.model_validate(settings.model_dump() | PRODUCTION)
    assert production.rasa_tracker_store == PRODUCTION["database_url"]
    apart = production.model_copy(update={"rasa_tracker_store_url": "postgresql://rasa@db/rasa"})
    assert apart.rasa_tracker_store == "postgresql://rasa@db/rasa"
    assert settings.rasa_tracker_store == ""  # SQLite: Rasa keeps its trackers in memory


def test_tracker_store_must_be_postgresql(settings: Settings) -> None:
    with pytest.raises(ValueError, match="must name PostgreSQL"):
        Settings.model_validate(
            settings.model_dump() | {"rasa_tracker_store_url": "sqlite:///rasa.db"}
        )
