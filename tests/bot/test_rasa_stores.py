"""What Rasa is told about its stores, and the settings several processes refuse to run with."""

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


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"workers": 2}, "LOKET_REDIS_URL is required with several workers"),
        ({"rasa_processes": 2}, "LOKET_REDIS_URL is required with several Rasa processes"),
        ({"workers": 3, "rasa_processes": 1}, "LOKET_REDIS_URL is required with several workers"),
    ],
)
def test_several_processes_refuse_an_in_memory_lock_store(
    settings: Settings, given: dict[str, int], refusal: str
) -> None:
    for mode in ({}, PRODUCTION):
        with pytest.raises(ValueError, match=refusal):
            Settings.model_validate(settings.model_dump() | mode | given)


def test_several_rasa_processes_refuse_trackers_in_memory(settings: Settings) -> None:
    with pytest.raises(ValueError, match="shared tracker store"):
        Settings.model_validate(
            settings.model_dump() | {"rasa_processes": 2, "redis_url": "redis://127.0.0.1:6379/0"}
        )


def test_several_processes_with_redis_and_postgresql_are_accepted(settings: Settings) -> None:
    several = Settings.model_validate(
        settings.model_dump() | PRODUCTION | {"workers": 4, "redis_url": "redis://127.0.0.1/0"}
    )
    assert several.managed_rasa_processes == 2
    assert several.model_copy(update={"manage_rasa": False}).managed_rasa_processes == 0
    one = Settings.model_validate(settings.model_dump() | {"workers": 1})
    assert one.managed_rasa_processes == 1


def test_tracker_store_must_be_postgresql(settings: Settings) -> None:
    with pytest.raises(ValueError, match="must name PostgreSQL"):
        Settings.model_validate(
            settings.model_dump() | {"rasa_tracker_store_url": "sqlite:///rasa.db"}
        )
