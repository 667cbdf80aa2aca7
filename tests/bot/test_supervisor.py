"""Starting Rasa: what loket says when it cannot (a real process stands in for a broken Rasa)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.supervisor import RasaStartError, RasaSupervisor


async def test_a_rasa_that_dies_while_starting_is_reported_with_its_last_words(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "rasa"
    broken.write_text(
        "#!/bin/sh\necho 'Loading model' >&2\n"
        "echo 'OSError: [Errno 98] address already in use' >&2\nexit 1\n",
        encoding="utf-8",
    )
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    supervisor = RasaSupervisor(
        command=str(broken),
        project_dir=tmp_path,
        model=model,
        rasa_url="http://127.0.0.1:5999",
        action_url="http://127.0.0.1:5998/webhook",
        run_dir=tmp_path / "run",
        start_timeout=30,
    )
    with pytest.raises(RasaStartError) as raised:
        await supervisor.start()
    assert "(OSError: [Errno 98] address already in use)" in raised.value.message
    assert str(tmp_path / "run" / "rasa-5999.log") in raised.value.message
