"""`make reliability`: Loket under load and faults, against the machine's real PostgreSQL and
Redis, with a real Rasa and the Telegram Bot API stand-in. Each scenario prints messages sent,
messages answered, lost (never answered) and duplicated (answered or archived more than once).

The scenarios: 20 messages at once on one conversation, a replay storm, Rasa killed, Redis
stopped, PostgreSQL restarted (these two not with `--quick`), and actions slower than Rasa's
lock on the conversation lives (on a loket of their own, whose Rasa calls the actions through
a stand-in that delays them; there duplicated includes a message Rasa's tracker holds twice).

Webhooks are sent the way Telegram sends them: a delivery that gets no 2xx is sent again (after
one second, for up to three minutes), so a 5xx is a retry, never a loss.

    .venv/bin/python -m tests.reliability.run [--quick]

`--quick` (what CI runs) leaves out the scenarios that stop the machine's services.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text

from bot.tables import ConversationRow, MessageRow
from channels.telegram import SECRET_HEADER
from tests.e2e.conftest import LoketProcess, start_loket, stop_loket
from tests.stand_ins.slow_actions import SlowActions
from tests.stand_ins.telegram_bot_api import TelegramBotApi, text_update

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
TOKEN = "123456:RELIABILITY-token"
SECRET = "reliability-webhook-secret"
RETRY_FOR_SECONDS = 180.0
QUESTIONS = (
    "wanneer wordt het grofvuil opgehaald",
    "hoe vraag ik een paspoort aan",
    "wat kost een parkeervergunning",
    "hoe geef ik mijn verhuizing door",
)
LOCK_LIFETIME = 3
"""Rasa's lock lifetime (`TICKET_LOCK_LIFETIME`, 60 s by default) in the slow-action scenarios,
short so that the scenarios are; loket's wait for Rasa is shortened alike."""
RASA_WAIT = 8.0
ACTION_DELAY = 5.0
STALL = 12.0
START_SERVICES = "make services"
"""Starts PostgreSQL and Redis where they are down: the same command as `make test` uses."""


@dataclass
class Result:
    scenario: str
    sent: int
    answered: int
    lost: int
    duplicated: int
    seconds: float
    note: str = ""


class Platform:
    """Telegram's side: delivers updates, retries what was not accepted, counts attempts."""

    def __init__(self, loket: LoketProcess) -> None:
        self.loket = loket
        self.refusals: Counter[int] = Counter()
        self._ids = iter(range(10_000_000, 99_999_999))
        self._lock = threading.Lock()

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def deliver(self, update: dict[str, Any]) -> None:
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        while True:
            try:
                response = httpx.post(
                    f"{self.loket.url}/webhooks/telegram",
                    json=update,
                    headers={SECRET_HEADER: SECRET},
                    timeout=60,
                )
                if response.is_success:
                    return
                with self._lock:
                    self.refusals[response.status_code] += 1
            except httpx.HTTPError:
                with self._lock:
                    self.refusals[0] += 1
            if time.monotonic() > deadline:
                return
            time.sleep(1)

    def deliver_all(self, updates: list[dict[str, Any]]) -> None:
        threads = [threading.Thread(target=self.deliver, args=(u,)) for u in updates]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def archived(loket: LoketProcess, chats: list[int]) -> list[MessageRow]:
    engine = create_engine(loket.env["LOKET_DATABASE_URL"])
    with engine.connect() as connection:
        keys = [str(c) for c in chats]
        rows = connection.execute(
            select(
                MessageRow.conversation_id,
                MessageRow.direction,
                MessageRow.external_id,
                MessageRow.id,
            )
            .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
            .where(ConversationRow.channel == "telegram", ConversationRow.channel_key.in_(keys))
            .order_by(MessageRow.id)
        ).all()
    engine.dispose()
    return rows  # type: ignore[return-value]


def outcome(
    name: str,
    loket: LoketProcess,
    api: TelegramBotApi,
    updates: list[dict[str, Any]],
    started: float,
    note: str = "",
) -> Result:
    """Lost: an update with no archived inbound message or no reply sent to its chat.
    Duplicated: an update archived twice, or more replies sent than archived."""
    chats = sorted({u["message"]["chat"]["id"] for u in updates})
    rows = archived(loket, chats)
    inbound = Counter(r.external_id for r in rows if r.direction == "in")
    archived_out = sum(r.direction == "out" for r in rows)
    sent_out = sum(len(api.sent(chat)) for chat in chats)
    ids = {str(u["update_id"]) for u in updates}
    answered = sum(1 for i in ids if inbound[i] >= 1)
    lost = len(ids) - answered + sum(1 for chat in chats if not api.sent(chat))
    duplicated = sum(n - 1 for n in inbound.values() if n > 1) + max(0, sent_out - archived_out)
    return Result(name, len(ids), answered, lost, duplicated, time.monotonic() - started, note)


def burst_on_one_conversation(loket: LoketProcess, api: TelegramBotApi, p: Platform) -> Result:
    chat = 6_000_001
    updates = [text_update(p.next_id(), chat, f"{QUESTIONS[n % 4]} ({n})") for n in range(20)]
    started = time.monotonic()
    p.deliver_all(updates)
    rows = archived(loket, [chat])
    # In order: every inbound message is followed by its own replies before the next one.
    directions = [r.direction for r in rows]
    interleaved = any(a == b == "in" for a, b in itertools.pairwise(directions))
    note = "replies interleaved" if interleaved else "each message answered before the next"
    return outcome("20 messages at once, one conversation", loket, api, updates, started, note)


def replay_storm(loket: LoketProcess, api: TelegramBotApi, p: Platform) -> Result:
    updates = [text_update(p.next_id(), 6_100_000 + n, QUESTIONS[n % 4]) for n in range(10)]
    started = time.monotonic()
    p.deliver_all([u for u in updates for _ in range(5)])
    return outcome("replay storm (each update 5 times at once)", loket, api, updates, started)


def traffic_with_fault(
    name: str,
    loket: LoketProcess,
    api: TelegramBotApi,
    p: Platform,
    base_chat: int,
    fault: Callable[[], None],
    recover: Callable[[], None] = lambda: None,
) -> Result:
    """30 residents write, one message each; the fault strikes after the first ten."""
    updates = [text_update(p.next_id(), base_chat + n, QUESTIONS[n % 4]) for n in range(30)]
    started = time.monotonic()
    threads = []
    for number, update in enumerate(updates):
        if number == 10:
            fault()
        thread = threading.Thread(target=p.deliver, args=(update,))
        thread.start()
        threads.append(thread)
        time.sleep(0.1)
    recover()
    for thread in threads:
        thread.join()
    refused = dict(p.refusals)
    p.refusals.clear()
    return outcome(name, loket, api, updates, started, f"refusals by status: {refused}")


def rasa_pid(loket: LoketProcess) -> int:
    found = subprocess.run(
        ["pgrep", "-f", f"rasa run.*--port {loket.rasa_url.rsplit(':', 1)[1]}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return int(found[0])


def shell(command: str) -> None:
    subprocess.run(command, shell=True, check=False, capture_output=True)


def restart_redis() -> None:
    time.sleep(5)
    shell(START_SERVICES)


def production_loket(
    api: TelegramBotApi, workdir: Path, schema: str, **extra_env: str
) -> LoketProcess:
    return start_loket(
        workdir,
        LOKET_DATABASE_URL=f"{POSTGRES}?options=-csearch_path%3D{schema}",
        LOKET_REDIS_URL=REDIS,
        LOKET_TELEGRAM_BOT_TOKEN=TOKEN,
        LOKET_TELEGRAM_WEBHOOK_SECRET=SECRET,
        LOKET_TELEGRAM_API_URL=api.api_url,
        LOKET_RATE_LIMIT_PER_SENDER="1000",
        **extra_env,
    )


def twice_in_rasa(loket: LoketProcess, chats: list[int]) -> int:
    """Resident messages Rasa's tracker holds more than once (a message Rasa handled twice)."""
    twice = 0
    for conversation_id in {r.conversation_id for r in archived(loket, chats)}:
        tracker = httpx.get(f"{loket.rasa_url}/conversations/{conversation_id}/tracker", timeout=30)
        said = Counter(e["text"] for e in tracker.json()["events"] if e["event"] == "user")
        twice += sum(n - 1 for n in said.values())
    return twice


def slow_traffic(
    name: str, p: Platform, api: TelegramBotApi, actions: SlowActions, chat: int
) -> Result:
    """Three messages at once on one conversation, and three residents writing one each."""
    loket = p.loket
    p.refusals.clear()
    updates = [text_update(p.next_id(), chat, f"{QUESTIONS[n]} ({n})") for n in range(3)]
    updates += [text_update(p.next_id(), chat + 1 + n, QUESTIONS[n]) for n in range(3)]
    calls = actions.calls
    started = time.monotonic()
    p.deliver_all(updates)
    chats = sorted({u["message"]["chat"]["id"] for u in updates})
    twice = twice_in_rasa(loket, chats)
    result = outcome(
        name,
        loket,
        api,
        updates,
        started,
        f"refusals by status: {dict(p.refusals)}; twice in Rasa's tracker: {twice}; "
        f"action calls: {actions.calls - calls}",
    )
    result.duplicated += twice
    return result


def actions_slower_than_rasa_lock(api: TelegramBotApi, workdir: Path, schema: str) -> list[Result]:
    """Rasa's lock on a conversation lives LOCK_LIFETIME seconds (60 by default); loket waits
    RASA_WAIT seconds for Rasa's answer (30 by default). Every action call takes longer than the
    lock lives; then a stall longer than loket waits, after which loket answers 503 and the
    platform sends the message again."""
    actions = SlowActions(ACTION_DELAY)
    actions.start()
    loket = production_loket(
        api,
        workdir,
        schema,
        LOKET_ACTION_URL=f"{actions.url}/webhook",
        LOKET_RASA_TIMEOUT_SECONDS=str(RASA_WAIT),
        TICKET_LOCK_LIFETIME=str(LOCK_LIFETIME),
    )
    actions.target = f"{loket.url}/webhook"
    platform = Platform(loket)
    try:
        slow = slow_traffic(
            f"actions {ACTION_DELAY:.0f} s, Rasa's lock lives {LOCK_LIFETIME} s",
            platform,
            api,
            actions,
            6_500_000,
        )
        actions.delay, actions.slow_until = STALL, actions.calls + 3
        stalled = slow_traffic(
            f"a {STALL:.0f} s stall, loket waits {RASA_WAIT:.0f} s",
            platform,
            api,
            actions,
            6_600_000,
        )
        return [slow, stalled]
    finally:
        stop_loket(loket)
        actions.stop()


def scenarios(api: TelegramBotApi, workdir: Path, schema: str, quick: bool) -> list[Result]:
    loket = production_loket(api, workdir, schema)
    platform = Platform(loket)
    results = []
    try:
        results.append(burst_on_one_conversation(loket, api, platform))
        results.append(replay_storm(loket, api, platform))
        results.append(
            traffic_with_fault(
                "Rasa killed during traffic",
                loket,
                api,
                platform,
                6_200_000,
                lambda: os.kill(rasa_pid(loket), signal.SIGKILL),
            )
        )
        if not quick:
            results.append(
                traffic_with_fault(
                    "Redis stopped during traffic",
                    loket,
                    api,
                    platform,
                    6_300_000,
                    lambda: shell("redis-cli shutdown nosave"),
                    restart_redis,
                )
            )
            results.append(
                traffic_with_fault(
                    "PostgreSQL restarted during traffic",
                    loket,
                    api,
                    platform,
                    6_400_000,
                    lambda: shell(
                        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart"
                    ),
                )
            )
    finally:
        stop_loket(loket)
    results.extend(actions_slower_than_rasa_lock(api, workdir / "slow-actions", schema))
    return results


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--quick", action="store_true", help="skip stopping services")
    quick = arguments.parse_args().quick
    schema = f"reliability_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES, pool_pre_ping=True)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    results: list[Result] = []
    try:
        with tempfile.TemporaryDirectory(prefix="loket-reliability-") as workdir:
            api = TelegramBotApi(TOKEN)
            api.start()
            try:
                results = scenarios(api, Path(workdir), schema, quick)
            finally:
                api.stop()
    finally:
        shell(START_SERVICES)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    print(f"{'scenario':46} {'sent':>5} {'answered':>9} {'lost':>5} {'dup':>4} {'seconds':>8}")
    for r in results:
        print(
            f"{r.scenario:46} {r.sent:>5} {r.answered:>9} {r.lost:>5} {r.duplicated:>4} "
            f"{r.seconds:>8.1f}  {r.note}"
        )
    failed = [r for r in results if r.lost or r.duplicated]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
