"""Several loket processes share Redis (the machine's real one, 127.0.0.1:6379): live events
reach every process's listeners in order, and one conversation is handled by one process at a
time. Two objects here stand for two processes."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.conversation_locks import RedisLocks
from bot.errors import ServiceUnavailable
from bot.redis_fanout import RedisEventHub, running
from bot.settings import Settings
from knowledge_base.embeddings import Encoder
from tests.bot.conftest import add_user, login, resident

REDIS = "redis://127.0.0.1:6379/0"


async def test_an_event_published_in_one_process_reaches_listeners_in_another() -> None:
    channel = f"loket:test:{uuid.uuid4().hex}"
    async with (
        running(RedisEventHub(REDIS, channel)) as first,
        running(RedisEventHub(REDIS, channel)) as second,
        second.listen("conversation-1") as queue,
    ):
        for number in range(20):
            first.publish("conversation-1", {"id": number})
        first.publish("conversation-2", {"id": 99})  # another topic: not for this listener
        received = [await asyncio.wait_for(queue.get(), 5) for _ in range(20)]
        assert [event["id"] for event in received if event] == list(range(20))
        await asyncio.sleep(0.2)
        assert queue.empty()


async def test_one_conversation_is_held_by_one_process_at_a_time() -> None:
    prefix = f"loket:test-lock:{uuid.uuid4().hex}:"
    first, second = RedisLocks(REDIS, prefix), RedisLocks(REDIS, prefix)
    trace: list[str] = []

    async def turn(locks: RedisLocks, name: str) -> None:
        async with locks.hold("telegram:42"):
            trace.append(f"{name} in")
            await asyncio.sleep(0.2)
            trace.append(f"{name} out")

    await asyncio.gather(*(turn(locks, f"{n}") for n, locks in enumerate([first, second] * 3)))
    assert all(
        trace[i].endswith("in") and trace[i + 1] == trace[i].replace("in", "out")
        for i in range(0, len(trace), 2)
    )
    assert len(trace) == 12
    await first.aclose()
    await second.aclose()


async def test_with_redis_down_a_message_is_refused_so_the_platform_retries() -> None:
    locks = RedisLocks("redis://127.0.0.1:9/0")
    with pytest.raises(ServiceUnavailable):
        async with locks.hold("telegram:42"):
            pass
    await locks.aclose()


def test_the_app_runs_its_conversations_through_redis(settings: Settings, encoder: Encoder) -> None:
    shared = settings.model_copy(update={"redis_url": REDIS, "rasa_url": "http://127.0.0.1:9"})
    with TestClient(create_app(shared, encoder)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        assert isinstance(services.hub, RedisEventHub)
        add_user(services.engine, "anna", {"agent"})
        agent = login(client, "anna")
        resident_auth, conversation_id = resident(client)
        url = f"/api/console/conversations/{conversation_id}"
        assert client.post(f"{url}/take", headers=agent).status_code == 200
        said = client.post("/api/webchat/messages", headers=resident_auth, json={"text": "hoi"})
        assert said.status_code == 200
        assert (
            client.post(f"{url}/messages", headers=agent, json={"text": "Dag!"}).status_code == 201
        )
