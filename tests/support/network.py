"""The suite talks to loopback only: any socket connection elsewhere fails at once, before a packet
leaves, so a test can never depend on (or send traffic to) another machine."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class NonLoopbackConnectionError(ConnectionRefusedError):
    """A test tried to connect outside 127.0.0.0/8 and ::1."""


def is_loopback(address: Any) -> bool:
    """Whether ``address`` (a socket address of any family) stays on this machine."""
    if not isinstance(address, tuple):
        return True  # a Unix socket path
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a name that would need resolving


def _guarded(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(sock: socket.socket, address: Any) -> Any:
        if not is_loopback(address):
            raise NonLoopbackConnectionError(f"tests may only connect to loopback, not {address!r}")
        return original(sock, address)

    return connect


@contextmanager
def loopback_only() -> Iterator[None]:
    """Refuse every non-loopback ``connect``/``connect_ex`` while the block runs (asyncio's
    connections go through the same methods)."""
    saved = socket.socket.connect, socket.socket.connect_ex
    socket.socket.connect = _guarded(saved[0])  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded(saved[1])  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = saved  # type: ignore[method-assign]
