"""`make bench`: end-to-end web chat latency and throughput, Loket against Rasa's own REST
webhook without Loket in front, on the same trained model and the same actions, in one run.

Each simulated resident holds a conversation of four questions. Levels: 1, 8 and 32 residents
at once. Then the same with 20,000 conversations already stored, a long conversation's cost,
and the memory of each process.

    .venv/bin/python -m tests.bench.end_to_end [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert

from bot.router import RASA_SESSION_MESSAGES
from bot.tables import ConversationRow, MessageRow
from tests.e2e.conftest import LoketProcess, start_loket, stop_loket

LEVELS = (1, 8, 32)
TURNS = 4
CONVERSATIONS_PER_LEVEL = {1: 8, 8: 24, 32: 64}
STORED = 20_000
QUESTIONS = (
    "wanneer wordt het grofvuil opgehaald",
    "hoe vraag ik een nieuw paspoort aan",
    "wat kost een parkeervergunning",
    "hoe geef ik mijn verhuizing door",
    "bedankt",
    "how do I apply for a passport",
)

Send = Callable[[httpx.AsyncClient, str, str], Awaitable[None]]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(
    send: Send, start: Callable[[httpx.AsyncClient], Awaitable[str]], level: int
) -> dict[str, float]:
    latencies: list[float] = []
    conversations = CONVERSATIONS_PER_LEVEL[level]
    semaphore = asyncio.Semaphore(level)

    async def resident(number: int, client: httpx.AsyncClient) -> None:
        async with semaphore:
            session = await start(client)
            for turn in range(TURNS):
                started = time.perf_counter()
                await send(client, session, QUESTIONS[(number + turn) % len(QUESTIONS)])
                latencies.append((time.perf_counter() - started) * 1000)

    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(resident(n, client) for n in range(conversations)))
        elapsed = time.perf_counter() - started
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "per_second": round(len(latencies) / elapsed, 2),
    }


def loket_client(loket: LoketProcess) -> tuple[Send, Callable[[httpx.AsyncClient], Awaitable[str]]]:
    async def start(client: httpx.AsyncClient) -> str:
        response = await client.post(f"{loket.url}/api/webchat/sessions", json={})
        response.raise_for_status()
        return str(response.json()["token"])

    async def send(client: httpx.AsyncClient, token: str, text: str) -> None:
        response = await client.post(
            f"{loket.url}/api/webchat/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        assert response.json()["replies"]

    return send, start


def rasa_client(loket: LoketProcess) -> tuple[Send, Callable[[httpx.AsyncClient], Awaitable[str]]]:
    async def start(client: httpx.AsyncClient) -> str:
        return f"bench-{uuid.uuid4()}"

    async def send(client: httpx.AsyncClient, sender: str, text: str) -> None:
        response = await client.post(
            f"{loket.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"language": "nl"}},
        )
        response.raise_for_status()
        assert response.json()

    return send, start


def store_conversations(loket: LoketProcess, count: int) -> None:
    engine = create_engine(loket.database_url)
    with engine.begin() as connection:
        for first in range(0, count, 2_000):
            ids = [str(uuid.uuid4()) for _ in range(min(2_000, count - first))]
            connection.execute(
                insert(ConversationRow),
                [
                    {
                        "id": i,
                        "channel": "webchat",
                        "channel_key": i,
                        "state": "bot",
                        "language": "nl",
                        "urgency": 0,
                    }
                    for i in ids
                ],
            )
            connection.execute(
                insert(MessageRow),
                [
                    {
                        "conversation_id": i,
                        "channel": "webchat",
                        "direction": d,
                        "sender": s,
                        "text": "bench",
                    }
                    for i in ids
                    for d, s in (("in", "resident"), ("out", "bot"))
                ],
            )
    engine.dispose()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children]


async def long_conversation(
    send: Send, start: Callable[[httpx.AsyncClient], Awaitable[str]], turns: int = 60
) -> tuple[float, float]:
    """Median latency of the first ten and the last ten turns of one long conversation."""
    async with httpx.AsyncClient(timeout=120) as client:
        session = await start(client)
        latencies = []
        for turn in range(turns):
            started = time.perf_counter()
            # Numbered, so no message repeats the one before (which would hand it to a person).
            await send(client, session, f"{QUESTIONS[turn % 4]} ({turn})")
            latencies.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(latencies[:10]), 1), round(statistics.median(latencies[-10:]), 1)


async def run(loket: LoketProcess) -> dict[str, Any]:
    report: dict[str, Any] = {"levels": []}
    loket_send, loket_start = loket_client(loket)
    rasa_send, rasa_start = rasa_client(loket)
    await measure(loket_send, loket_start, 1)  # warm up both
    await measure(rasa_send, rasa_start, 1)
    for level in LEVELS:
        bare = await measure(rasa_send, rasa_start, level)
        front = await measure(loket_send, loket_start, level)
        report["levels"].append(
            {
                "concurrent": level,
                "rasa": bare,
                "loket": front,
                "p95_ratio": round(front["p95_ms"] / bare["p95_ms"], 2),
                "throughput_ratio": round(front["per_second"] / bare["per_second"], 2),
            }
        )
    before = await measure(loket_send, loket_start, 8)
    store_conversations(loket, STORED)
    after = await measure(loket_send, loket_start, 8)
    report["stored"] = {"before": before, f"with_{STORED}_more": after}
    report["long_conversation_loket_ms"] = await long_conversation(loket_send, loket_start)
    report["long_conversation_rasa_ms"] = await long_conversation(rasa_send, rasa_start)
    rasa = child_pids(loket.process.pid)
    report["memory_mb"] = {"loket": rss_mb(loket.process.pid), "rasa": [rss_mb(p) for p in rasa]}
    return report


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--json", action="store_true")
    as_json = arguments.parse_args().json
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as workdir:
        loket = start_loket(
            Path(workdir), LOKET_RATE_LIMIT_PER_SENDER="1000", LOKET_RATE_LIMIT_PER_IP="100000"
        )
        try:
            report = asyncio.run(run(loket))
        finally:
            stop_loket(loket)
    header = ("residents", "rasa p50/p95 ms", "loket p50/p95 ms", "rasa msg/s", "loket msg/s")
    print("  ".join(f"{h:>17}" for h in header), "  p95 x  thr x")
    for row in report["levels"]:
        r, lo = row["rasa"], row["loket"]
        cells = (
            row["concurrent"],
            f"{r['p50_ms']}/{r['p95_ms']}",
            f"{lo['p50_ms']}/{lo['p95_ms']}",
            r["per_second"],
            lo["per_second"],
        )
        ratios = f"{row['p95_ratio']:>6} {row['throughput_ratio']:>6}"
        print("  ".join(f"{c:>17}" for c in cells), ratios)
    stored = report["stored"]
    print(
        f"8 residents, p50/p95 ms: {stored['before']['p50_ms']}/{stored['before']['p95_ms']} "
        f"-> with {STORED} more conversations stored: "
        f"{stored[f'with_{STORED}_more']['p50_ms']}/{stored[f'with_{STORED}_more']['p95_ms']}"
    )
    print(
        f"long conversation, median ms of turns 1-10 -> 51-60: loket "
        f"{report['long_conversation_loket_ms']} (a new Rasa session every "
        f"{RASA_SESSION_MESSAGES} messages), bare rasa {report['long_conversation_rasa_ms']}"
    )
    print(f"memory (RSS MB): {report['memory_mb']}")
    if as_json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
