from __future__ import annotations

import socket

from bot.ports import ephemeral_start, free_port


def test_free_ports_lie_below_what_outgoing_connections_get_and_can_be_bound() -> None:
    first = free_port(2)
    assert first + 1 < ephemeral_start()
    with socket.socket() as one, socket.socket() as two:
        one.bind(("127.0.0.1", first))
        two.bind(("127.0.0.1", first + 1))


def test_a_port_in_use_is_not_given() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        port = taken.getsockname()[1]
        assert all(free_port() != port for _ in range(200))
