"""`loket run --workers 2`: two loket processes on one port and two Rasa processes, sharing
PostgreSQL (loket's tables and Rasa's trackers) and Redis (locks and live events). And the
settings it refuses to start with."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from bot.ports import free_port
from bot.tables import MessageRow
from tests.e2e.conftest import LOKET, LoketProcess, loket_env, start_loket
from tests.e2e.test_production_stores import (  # noqa: F401  (the schema fixture)
    production_env,
    resident_texts,
    say,
    schema,
)

pytestmark = pytest.mark.e2e

WORKERS = ["--workers", "2"]


def children(pid: int) -> dict[int, str]:
    """The child processes of `pid`: their command lines."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    pids = [int(line) for line in found.stdout.split()]
    return {p: Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode() for p in pids}


def worker_pids(loket: LoketProcess) -> list[int]:
    return sorted(p for p, command in children(loket.process.pid).items() if "bot.cli" in command)


@pytest.fixture(scope="module")
def several(tmp_path_factory: pytest.TempPathFactory, schema: str) -> Iterator[LoketProcess]:  # noqa: F811
    running = start_loket(
        tmp_path_factory.mktemp("several"),
        WORKERS,
        rasa_port=free_port(2),
        LOKET_RATE_LIMIT_PER_SENDER="1000",
        LOKET_LOG_FORMAT="json",
        **production_env(schema),
    )
    yield running
    # As systemd stops it (docs/deploy.md: KillMode=mixed): SIGTERM to the parent alone.
    started = children(running.process.pid)
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(timeout=90) == 0
    assert [pid for pid in started if Path(f"/proc/{pid}").exists()] == []


def second_rasa(loket: LoketProcess) -> str:
    host, port = loket.rasa_url.rsplit(":", 1)
    return f"{host}:{int(port) + 1}"


def test_two_workers_and_two_rasa_processes(several: LoketProcess) -> None:
    commands = list(children(several.process.pid).values())
    assert sum("bot.cli run --socket-fd" in c for c in commands) == 2
    assert sum(" run --enable-api" in c for c in commands) == 2
    for rasa in (several.rasa_url, second_rasa(several)):
        assert httpx.get(f"{rasa}/status", timeout=5).json()["model_id"]


def test_every_message_once_in_order_and_both_rasa_processes_see_the_conversation(
    several: LoketProcess,
) -> None:
    """Eight residents at once, three messages each, on whichever worker the kernel picks."""
    questions = ["hoe vraag ik een paspoort aan", "wat kost een parkeervergunning", "bedankt"]

    def resident(number: int) -> str:
        session = httpx.post(f"{several.url}/api/webchat/sessions", json={}).json()
        for question in questions:
            assert say(several, session["token"], f"{question} ({number})")
        return str(session["conversation_id"])

    with ThreadPoolExecutor(8) as pool:
        conversations = list(pool.map(resident, range(8)))

    engine = create_engine(several.env["LOKET_DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            select(MessageRow.conversation_id, MessageRow.direction, MessageRow.text)
            .where(MessageRow.conversation_id.in_(conversations))
            .order_by(MessageRow.id)
        ).all()
    engine.dispose()
    for number, conversation_id in enumerate(conversations):
        said = [
            r.text for r in rows if r.conversation_id == conversation_id and r.direction == "in"
        ]
        expected = [f"{q} ({number})" for q in questions]
        assert said == expected
        assert resident_texts(several.rasa_url, conversation_id) == expected
        assert resident_texts(second_rasa(several), conversation_id) == expected


def inbound_counted(metrics_text: str) -> float:
    prefix = 'loket_messages_total{channel="webchat",direction="in"} '
    (line,) = [line for line in metrics_text.splitlines() if line.startswith(prefix)]
    return float(line.removeprefix(prefix))


def test_every_scrape_counts_the_messages_of_all_workers(several: LoketProcess) -> None:
    engine = create_engine(several.env["LOKET_DATABASE_URL"])
    with engine.connect() as connection:
        archived = connection.execute(
            select(func.count())
            .select_from(MessageRow)
            .where(MessageRow.channel == "webchat", MessageRow.direction == "in")
        ).scalar_one()
    engine.dispose()
    assert archived >= 24
    # New connections each time: the kernel hands them to either worker.
    scrapes = [httpx.get(f"{several.url}/metrics", timeout=10).text for _ in range(8)]
    assert [inbound_counted(text) for text in scrapes] == [archived] * 8


def test_the_log_is_json_lines_access_lines_included(
    several: LoketProcess,
) -> None:
    lines = [json.loads(line) for line in several.log().splitlines()]
    serving = [str(line["message"]) for line in lines if "is serving" in str(line["message"])]
    assert [m.split(" (pid")[0] for m in sorted(serving)] == ["Worker 0", "Worker 1"]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert {"/api/webchat/sessions", "/api/webchat/messages", "/webhook"} <= {
        line["path"] for line in access
    }


def test_a_killed_worker_is_replaced_while_the_other_serves(several: LoketProcess) -> None:
    first, second = worker_pids(several)
    os.kill(first, signal.SIGKILL)
    session = httpx.post(f"{several.url}/api/webchat/sessions", json={}, timeout=30).json()
    assert say(several, session["token"], "hoe geef ik mijn verhuizing door")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        pids = worker_pids(several)
        if len(pids) == 2 and first not in pids and "Worker 0 (pid" in several.log()[-2000:]:
            break
        time.sleep(1)
    assert second in worker_pids(several)
    assert first not in worker_pids(several)
    assert len(worker_pids(several)) == 2


def refusal(tmp_path: Path, *arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LOKET), "run", *arguments],
        env=loket_env(tmp_path, rasa_port=5999) | env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_several_workers_without_redis_are_refused(tmp_path: Path) -> None:
    result = refusal(tmp_path, *WORKERS)
    assert result.returncode == 2
    assert "LOKET_REDIS_URL is required with several workers" in result.stderr


def test_production_refuses_several_rasa_processes_with_an_in_memory_lock_store(
    tmp_path: Path,
) -> None:
    result = refusal(
        tmp_path,
        "--rasa-processes",
        "2",
        LOKET_MODE="production",
        LOKET_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        LOKET_ARCHIVE_SUBJECT_SECRET="s" * 32,
        LOKET_ARCHIVE_KEY="k" * 44,
    )
    assert result.returncode == 2
    assert "LOKET_REDIS_URL is required with several Rasa processes" in result.stderr
