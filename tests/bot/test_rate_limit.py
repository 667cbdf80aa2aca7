from __future__ import annotations

from bot.rate_limit import RateLimiter
from tests.bot.conftest import Clock


def test_a_burst_up_to_the_limit_then_a_wait() -> None:
    clock = Clock(1000.0)
    limiter = RateLimiter(per_minute=3, clock=clock)
    assert [limiter.hit("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.hit("a") == 20  # one token comes back every 20 seconds
    assert limiter.hit("b") == 0  # keys are counted apart
    clock.now += 20
    assert limiter.hit("a") == 0
    assert limiter.hit("a") > 0
