"""The suite's own guard: connections leave loopback never (tests/support/network.py)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from tests.support.network import NonLoopbackConnectionError, is_loopback


def test_loopback_addresses_pass() -> None:
    assert is_loopback(("127.0.0.1", 5432))
    assert is_loopback(("127.8.9.10", 1))
    assert is_loopback(("::1", 6379, 0, 0))
    assert is_loopback(("localhost", 80))
    assert is_loopback("/var/run/postgresql/.s.PGSQL.5432")
    assert not is_loopback(("192.0.2.1", 80))
    assert not is_loopback(("example.com", 80))


def test_a_plain_socket_cannot_leave_loopback() -> None:
    with socket.socket() as s, pytest.raises(NonLoopbackConnectionError):
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: refused before any packet is sent
    with socket.socket() as s, pytest.raises(NonLoopbackConnectionError):
        s.connect_ex(("192.0.2.1", 9))


async def test_asyncio_cannot_leave_loopback() -> None:
    with pytest.raises(OSError, match="loopback"):
        await asyncio.wait_for(asyncio.open_connection("192.0.2.1", 9), timeout=5)


def test_loopback_still_connects() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket() as client:
            client.connect(server.getsockname())
