"""`loket run` supervises Rasa: restarts it when it dies, stops both on Ctrl-C. `loket ask`
starts a Rasa of its own when none is running, and stops it afterwards, also when stopped."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bot.cli import INTERRUPTED
from bot.ports import free_port
from tests.e2e.conftest import LOKET, loket_env, start_loket, stop_loket, wait_until_ready

pytestmark = pytest.mark.e2e


def children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in result.stdout.split()]


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def test_dead_rasa_is_restarted_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    loket = start_loket(tmp_path)
    try:
        (rasa_pid,) = children(loket.process.pid)
        subprocess.run(["kill", "-9", str(rasa_pid)], check=True)
        time.sleep(1.5)
        wait_until_ready(loket, "Rasa exited")  # the supervisor started a new Rasa, same port
        (new_rasa_pid,) = children(loket.process.pid)
        assert new_rasa_pid != rasa_pid

        session = httpx.post(f"{loket.url}/api/webchat/sessions").json()
        reply = httpx.post(
            f"{loket.url}/api/webchat/messages",
            json={"text": "hallo"},
            headers={"Authorization": f"Bearer {session['token']}"},
            timeout=60,
        )
        assert reply.status_code == 200
    finally:
        code = stop_loket(loket)
    assert code == 0
    deadline = time.monotonic() + 15
    while alive(new_rasa_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(new_rasa_pid)


def test_loket_ask_starts_and_stops_its_own_rasa(tmp_path: Path) -> None:
    nobody = free_port()  # no Rasa listens here
    result = subprocess.run(
        [str(LOKET), "ask", "--json", "hoe vraag ik een nieuw paspoort aan?"],
        env=loket_env(tmp_path, nobody),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["kb_entry"]["id"] == "paspoort-aanvragen"
    assert "starting one" in result.stderr
    assert "Rasa stopped" in result.stderr
    orphans = subprocess.run(
        ["pgrep", "-f", f"rasa run.*{tmp_path}"], capture_output=True, check=False
    )
    assert orphans.returncode == 1, "a Rasa process outlived loket ask"


def test_a_one_off_command_stopped_by_sigterm_stops_its_own_rasa(tmp_path: Path) -> None:
    """A timeout or a cancelled job stops `loket ask` with SIGTERM, maybe while its Rasa is
    still starting: that Rasa must not live on."""
    asking = subprocess.Popen(
        [str(LOKET), "ask", "hoe vraag ik een nieuw paspoort aan?"],
        env=loket_env(tmp_path, free_port()),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert asking.stderr is not None
    started = next(line for line in asking.stderr if "Started Rasa (pid" in line)
    rasa_pid = int(started.split("(pid ")[1].split(")")[0])
    assert alive(rasa_pid)
    asking.send_signal(signal.SIGTERM)
    _, rest = asking.communicate(timeout=120)
    assert asking.returncode == INTERRUPTED
    assert "Rasa stopped" in rest
    assert not alive(rasa_pid), "a Rasa process outlived loket ask"
