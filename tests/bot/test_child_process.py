"""Restarting a child process that dies, with real processes (no Rasa needed)."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from bot import child_process
from bot.child_process import ChildProcess
from bot.errors import ServiceUnavailable


class Short(ChildProcess):
    """A process that lives `seconds`, then exits with code 3."""

    def __init__(self, seconds: float = 0.0, fail_after: int | None = None) -> None:
        super().__init__("short")
        self.seconds = seconds
        self.launched: list[int] = []
        self.fail_after = fail_after

    async def _launch(self) -> asyncio.subprocess.Process:
        if self.fail_after is not None and len(self.launched) >= self.fail_after:
            raise ServiceUnavailable("will not start")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            f"import sys, time; time.sleep({self.seconds}); sys.exit(3)",
            start_new_session=True,
        )
        self.launched.append(process.pid)
        return process


@pytest.fixture
def quick_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child_process, "RESTART_DELAYS", (0.05, 0.1, 30.0))


@pytest.mark.usefixtures("quick_delays")
async def test_a_process_that_keeps_dying_waits_longer_each_time() -> None:
    short = Short()
    await short.start()
    await asyncio.sleep(1.5)
    # 0.05 s, then 0.1 s, then 30 s: two restarts, not a tight loop.
    assert short.restarts == 2
    assert len(short.launched) == 3
    await short.stop()


@pytest.mark.usefixtures("quick_delays")
async def test_a_process_that_served_long_enough_starts_again_from_the_shortest_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(child_process, "STABLE_SECONDS", 0.2)
    short = Short(seconds=0.3)  # each run counts as stable
    await short.start()
    await asyncio.sleep(2.0)
    assert short.restarts >= 4
    await short.stop()


@pytest.mark.usefixtures("quick_delays")
async def test_a_failed_restart_is_tried_again() -> None:
    short = Short(fail_after=1)
    await short.start()
    await asyncio.sleep(0.5)
    assert short.restarts == 2  # both failed to launch; the third try waits 30 s
    assert len(short.launched) == 1
    await short.stop()


async def test_stop_ends_a_running_process() -> None:
    short = Short(seconds=60)
    await short.start()
    pid = short.launched[0]
    await short.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert short.restarts == 0
