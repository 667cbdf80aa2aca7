"""Production stores for Rasa: `loket run` on the machine's PostgreSQL and Redis gives Rasa a SQL
tracker store and a Redis lock store, so a conversation outlives its Rasa process."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
import yaml
from sqlalchemy import create_engine, text

from bot.router import RASA_SESSION_MESSAGES
from tests.e2e.conftest import LoketProcess, start_loket, stop_loket, wait_until_ready

pytestmark = pytest.mark.e2e

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    """A throwaway schema on the machine's PostgreSQL, for loket's tables and Rasa's."""
    name = f"loket_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    yield name
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
    admin.dispose()


def production_env(schema: str) -> dict[str, str]:
    return {
        "LOKET_DATABASE_URL": f"{POSTGRES}?options=-csearch_path%3D{schema}",
        "LOKET_REDIS_URL": REDIS,
    }


@pytest.fixture(scope="module")
def loket(tmp_path_factory: pytest.TempPathFactory, schema: str) -> Iterator[LoketProcess]:
    running = start_loket(
        tmp_path_factory.mktemp("loket"),
        LOKET_RATE_LIMIT_PER_SENDER="1000",
        **production_env(schema),
    )
    yield running
    stop_loket(running)


def say(loket: LoketProcess, token: str, text_: str) -> list[str]:
    response = httpx.post(
        f"{loket.url}/api/webchat/messages",
        json={"text": text_},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return [reply["text"] for reply in response.json()["replies"]]


def resident_texts(rasa_url: str, conversation_id: str) -> list[str]:
    """What the resident said, as the Rasa at `rasa_url` knows the conversation."""
    tracker = httpx.get(f"{rasa_url}/conversations/{conversation_id}/tracker", timeout=30).json()
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def stored_events(schema: str, conversation_id: str, kind: str = "") -> int:
    """Rasa's stored events of the conversation (of one `kind`, e.g. `session_started`)."""
    engine = create_engine(POSTGRES)
    with engine.connect() as connection:
        count = connection.execute(
            text(
                f"SELECT count(*) FROM {schema}.events WHERE sender_id = :id"
                " AND (type_name = :kind OR :kind = '')"
            ),
            {"id": conversation_id, "kind": kind},
        ).scalar_one()
    engine.dispose()
    return int(count)


def rasa_children(loket: LoketProcess) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(loket.process.pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


def test_rasa_is_told_of_both_stores(loket: LoketProcess) -> None:
    port = loket.rasa_url.rsplit(":", 1)[1]
    endpoints = yaml.safe_load(
        (loket.data_dir / "rasa" / f"endpoints-{port}.yml").read_text(encoding="utf-8")
    )
    assert endpoints["tracker_store"]["type"] == "SQL"
    assert endpoints["tracker_store"]["db"] == "test"
    assert endpoints["lock_store"]["type"] == "redis"


def test_a_conversation_survives_a_rasa_restart(loket: LoketProcess, schema: str) -> None:
    session = httpx.post(f"{loket.url}/api/webchat/sessions", json={}).json()
    token, conversation_id = session["token"], session["conversation_id"]
    assert say(loket, token, "hoe vraag ik een paspoort aan")
    assert say(loket, token, "wanneer wordt het grofvuil opgehaald")
    before = stored_events(schema, conversation_id)
    assert before > 0

    (rasa_pid,) = rasa_children(loket)
    subprocess.run(["kill", "-9", str(rasa_pid)], check=True)
    time.sleep(1.5)
    wait_until_ready(loket, "Rasa exited")  # a new Rasa, that starts with empty memory

    assert resident_texts(loket.rasa_url, conversation_id) == [
        "hoe vraag ik een paspoort aan",
        "wanneer wordt het grofvuil opgehaald",
    ]
    assert say(loket, token, "wat kost een parkeervergunning")
    assert stored_events(schema, conversation_id) > before


def test_rasa_waits_for_a_lock_held_in_redis(loket: LoketProcess) -> None:
    """Another Rasa process holds this conversation (a ticket in Redis, valid three more
    seconds): this one waits for it, as a second Rasa of the same deployment must."""
    conversation_id = f"lock-{uuid.uuid4()}"
    ticket = json.dumps({"number": 1, "expires": time.time() + 3})
    client = redis.Redis.from_url(REDIS)
    client.set(
        f"rasa:lock:{conversation_id}",
        json.dumps({"conversation_id": conversation_id, "tickets": [ticket]}),
    )
    client.close()
    started = time.monotonic()
    response = httpx.post(
        f"{loket.rasa_url}/webhooks/rest/webhook",
        json={"sender": conversation_id, "message": "hallo", "metadata": {"language": "nl"}},
        timeout=60,
    )
    assert response.status_code == 200
    assert response.json()
    assert time.monotonic() - started >= 2.5


def test_a_long_conversation_is_read_back_one_session_at_a_time(
    loket: LoketProcess, schema: str
) -> None:
    """Rasa reads back (and sends to the actions) the latest session only: loket starts one
    every RASA_SESSION_MESSAGES messages, and the tracker store keeps the earlier ones."""
    session = httpx.post(f"{loket.url}/api/webchat/sessions", json={}).json()
    token, conversation_id = session["token"], session["conversation_id"]
    questions = ["hoe vraag ik een paspoort aan", "wat kost een parkeervergunning", "bedankt"]
    said = [f"{questions[n % 3]} ({n})" for n in range(2 * RASA_SESSION_MESSAGES + 5)]
    for message in said:
        assert say(loket, token, message)
    assert stored_events(schema, conversation_id, "session_started") == 3  # 1st, 21st, 41st
    assert resident_texts(loket.rasa_url, conversation_id) == said  # all sessions
