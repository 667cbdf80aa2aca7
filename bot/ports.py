"""Free loopback ports for a process that binds them later (a Rasa binds its port only after
loading its model, a minute on a busy machine)."""

from __future__ import annotations

import random
import socket
from pathlib import Path
from typing import Final

EPHEMERAL_RANGE_FILE: Final = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST: Final = 10_000
ATTEMPTS: Final = 1_000


def ephemeral_start() -> int:
    """The first port the kernel may give an outgoing connection (Linux's default 32768)."""
    try:
        return int(EPHEMERAL_RANGE_FILE.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(count: int = 1) -> int:
    """The first of `count` consecutive ports that are free now and stay free for a while.

    A port the kernel hands out for `bind(port 0)` lies in its ephemeral range, which it also
    uses for outgoing connections: any connection the test or the worker opens meanwhile may
    take it before the slow process binds it. Below that range only a listener takes a port.
    """
    highest = ephemeral_start() - count
    if highest <= LOWEST:
        raise OSError("no ports below the ephemeral range")
    for _ in range(ATTEMPTS):
        first = random.randrange(LOWEST, highest)  # noqa: S311  (spreads, not secret)
        if all(_free(first + n) for n in range(count)):
            return first
    raise OSError(f"no {count} free consecutive ports below {highest + count}")
