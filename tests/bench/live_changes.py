"""`make bench-live`: how long a change takes to be live in another loket process.

Two `loket run` processes (A and B, without Rasa: the knowledge base answers in-process) share
the machine's PostgreSQL and Redis, as replicas behind a load balancer do. An approver publishes
on A; the clock runs from A's answer until B answers a resident's question from the change
(asked through B's own knowledge base, `/api/editor/try`, every 25 ms), or until B's web chat
lists a crisis notice (`/api/webchat/notices`) or no longer does. Also a publish from the command
line (a third process), and the same on the default set-up: one process on SQLite, no Redis,
where a change from the command line is found by the process's own look at the revisions.

    .venv/bin/python -m tests.bench.live_changes [--rounds N] [--json]

Target (issue 6): every change live everywhere within one second.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.e2e.conftest import LOKET, LoketProcess, start_loket, stop_loket

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
PASSWORD = "een lang wachtwoord voor de benchmark"
POLL_SECONDS = 0.025
GIVE_UP_SECONDS = 10.0


class Staff:
    """An editor and an approver, logged in on one process."""

    def __init__(self, loket: LoketProcess) -> None:
        self.loket = loket
        self.headers = {name: self._login(name) for name in ("redacteur", "goedkeurder")}

    def _login(self, username: str) -> dict[str, str]:
        response = httpx.post(
            f"{self.loket.url}/api/console/login",
            json={"username": username, "password": PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def call(self, who: str, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(
            method, f"{self.loket.url}{path}", headers=self.headers[who], json=body, timeout=30
        )
        response.raise_for_status()
        return response.json()


def add_staff(loket: LoketProcess) -> None:
    for username, roles in (("redacteur", "editor"), ("goedkeurder", "approver")):
        subprocess.run(
            [str(LOKET), "staff", "add", username, "--roles", roles],
            input=PASSWORD + "\n",
            text=True,
            env=loket.env,
            cwd=loket.data_dir,
            check=True,
            capture_output=True,
        )


def until(check: Callable[[], bool]) -> float:
    """Seconds until `check` holds, polling; GIVE_UP_SECONDS when it never does."""
    started = time.perf_counter()
    while time.perf_counter() - started < GIVE_UP_SECONDS:
        if check():
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    return GIVE_UP_SECONDS


def answers(staff: Staff, question: str, entry_id: str, version: int) -> Callable[[], bool]:
    def check() -> bool:
        found = staff.call("redacteur", "POST", "/api/editor/try", {"question": question})
        answer = found["answer"] or {}
        return bool(answer.get("entry_id") == entry_id and answer.get("version") == version)

    return check


def notice_listed(loket: LoketProcess, notice_id: int, listed: bool) -> Callable[[], bool]:
    def check() -> bool:
        notices = httpx.get(f"{loket.url}/api/webchat/notices", timeout=30).json()["notices"]
        return any(n["id"] == notice_id for n in notices) == listed

    return check


def new_entry(staff: Staff, number: int) -> tuple[str, str]:
    """A written entry, offered for review: (entry id, its question)."""
    question = f"Waar kan ik zandzakken ophalen in wijk {number}?"
    entry = staff.call(
        "redacteur",
        "POST",
        "/api/editor/entries",
        {
            "topic": "crisis",
            "questions": {"nl": [question]},
            "answers": {"nl": f"In wijk {number} haalt u zandzakken bij het buurthuis."},
        },
    )
    staff.call("redacteur", "POST", f"/api/editor/entries/{entry['entry_id']}/versions/1/submit")
    return entry["entry_id"], question


def replicas(a: Staff, b: Staff, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"publish": [], "rollback": [], "notice": [], "notice end": []}
    for number in range(rounds):
        entry_id, question = new_entry(a, number)
        a.call("goedkeurder", "POST", f"/api/editor/entries/{entry_id}/versions/1/approve")
        times["publish"].append(until(answers(b, question, entry_id, 1)))

        changed = {
            "topic": "crisis",
            "questions": {"nl": [question]},
            "answers": {"nl": "Tijdelijk: zandzakken zijn op."},
            "based_on": 1,
        }
        a.call("redacteur", "POST", f"/api/editor/entries/{entry_id}/versions", changed)
        a.call("redacteur", "POST", f"/api/editor/entries/{entry_id}/versions/2/submit")
        a.call("goedkeurder", "POST", f"/api/editor/entries/{entry_id}/versions/2/approve")
        until(answers(b, question, entry_id, 2))
        a.call("goedkeurder", "POST", f"/api/editor/entries/{entry_id}/rollback", {"version": 1})
        times["rollback"].append(until(answers(b, question, entry_id, 3)))

        ends = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        notice = a.call(
            "goedkeurder",
            "POST",
            "/api/editor/notices",
            {"title": {"nl": f"Hoogwater {number}"}, "body": {"nl": "Blijf weg."}, "ends_at": ends},
        )
        a.call(
            "goedkeurder", "POST", f"/api/editor/notices/{notice['id']}/urgent", {"confirm": True}
        )
        times["notice"].append(until(notice_listed(b.loket, notice["id"], True)))
        a.call("goedkeurder", "POST", f"/api/editor/notices/{notice['id']}/end")
        times["notice end"].append(until(notice_listed(b.loket, notice["id"], False)))
    return times


def from_the_command_line(loket: LoketProcess, seen_by: Staff, rounds: int) -> list[float]:
    """`loket kb publish` in a process of its own; timed from the command's exit."""
    times = []
    for number in range(rounds):
        entry_id, question = new_entry(seen_by, 1000 + number)
        subprocess.run(
            [str(LOKET), "kb", "publish", entry_id, "--actor", "goedkeurder"],
            env=loket.env,
            cwd=loket.data_dir,
            check=True,
            capture_output=True,
        )
        times.append(until(answers(seen_by, question, entry_id, 1)))
    return times


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(values),
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "max_s": round(ordered[-1], 3),
    }


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--rounds", type=int, default=10)
    arguments.add_argument("--json", action="store_true")
    options = arguments.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    results: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="loket-live-") as workdir:
            shared = {
                "LOKET_DATABASE_URL": f"{POSTGRES}?options=-csearch_path%3D{schema}",
                "LOKET_REDIS_URL": REDIS,
            }
            a = start_loket(Path(workdir) / "a", ["--no-rasa"], **shared)
            b = start_loket(Path(workdir) / "b", ["--no-rasa"], **shared)
            try:
                add_staff(a)
                staff_a, staff_b = Staff(a), Staff(b)
                for name, values in replicas(staff_a, staff_b, options.rounds).items():
                    results[f"two processes, PostgreSQL + Redis: {name}"] = summary(values)
                results["two processes: publish from the command line"] = summary(
                    from_the_command_line(a, staff_b, options.rounds)
                )
            finally:
                stop_loket(a)
                stop_loket(b)
            single = start_loket(Path(workdir) / "single", ["--no-rasa"])
            try:
                add_staff(single)
                results["one process, SQLite: publish from the command line"] = summary(
                    from_the_command_line(single, Staff(single), options.rounds)
                )
            finally:
                stop_loket(single)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    print(f"{'change, seen by another process':58} {'n':>3} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for name, row in results.items():
        print(f"{name:58} {row['n']:>3} {row['p50_s']:>7} {row['p95_s']:>7} {row['max_s']:>7}")
    if options.json:
        print(json.dumps({"live_changes": results}))
    return 0 if all(row["max_s"] <= 1.0 for row in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
