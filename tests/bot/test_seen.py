from __future__ import annotations

from bot.seen import SeenSet
from tests.bot.conftest import Clock


def test_an_id_is_seen_until_it_expires() -> None:
    clock = Clock()
    seen = SeenSet(ttl=60, clock=clock)
    assert "1" not in seen
    seen.add("1")
    clock.now = 59
    assert "1" in seen
    clock.now = 61
    assert "1" not in seen


def test_the_oldest_ids_go_first_when_the_set_is_full() -> None:
    seen = SeenSet(max_ids=2, clock=Clock())
    for key in ("1", "2", "3"):
        seen.add(key)
    assert "1" not in seen
    assert "2" in seen
    assert "3" in seen
