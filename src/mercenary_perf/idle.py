"""Idle keep-alive clients held open beside a scenario's traffic (SLO-10).

:class:`IdleClients` opens ``count`` HTTP/1.1 connections to the service, ``concurrency`` at a
time (so the server's listen queue never overflows). Each sends one cheap request (``GET /health``),
reads the whole answer, and then stays open sending nothing, like a browser between clicks or a
load balancer's pooled upstream connection. A connection the server closes or resets is noticed
the moment the kernel delivers the FIN or RST, and the time is kept. After the load,
:meth:`IdleClients.verify` sends one more ``GET /health`` on every connection still open: a
connection is *held* when it stayed open all along and answers 200 again. Every requested
connection that is not held is an error of the run.

The clients are bare asyncio protocols (no task, no buffer while idle), so 10,000 of them cost the
generator a few megabytes and no CPU. Bounded: at most :data:`MAX_IDLE` connections, and every
step has a timeout. The caller checks that the target is on loopback.
"""

from __future__ import annotations

import asyncio
import errno
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

MAX_IDLE = 60_000  # well past one process's ephemeral ports to one address; a bound, not a target
OPEN_CONCURRENCY = 200  # connections being opened at once (far below the server's listen backlog)
HEAD_LIMIT = 16_384  # an answer's head longer than this is not the health check's
T = TypeVar("T")


class _Client(asyncio.Protocol):
    """One connection: asks when told to, parses the answer, and notices any close while idle."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future[int] | None = None
        self.buffer = bytearray()
        self.lost: str | None = None  # why the connection ended, when we did not end it
        self.lost_at: float | None = None
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def ask(self, request: bytes) -> asyncio.Future[int]:
        """Send ``request``; the future gets the answer's status once the whole answer is in."""
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self.buffer.clear()
        self.transport.write(request)
        return self.answer

    def data_received(self, data: bytes) -> None:
        if self.answer is None or self.answer.done():
            self._lose("data while idle")
            return
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > HEAD_LIMIT:
                self._lose("answer head too long")
            return
        status, length, close = _parse_head(bytes(self.buffer[:end]))
        if length is None:
            self._lose("answer without content-length")
            return
        have = len(self.buffer) - end - 4
        if have < length:
            return
        if have > length:
            self._lose("bytes after the answer")
            return
        self.buffer.clear()  # nothing kept while idle
        self.answer.set_result(status)
        if close:  # the server said it will close this connection: it is not held
            self._lose("connection: close")

    def eof_received(self) -> bool:
        self._lose("closed by the server")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if isinstance(exc, ConnectionResetError):
            self._lose("reset by the server")
        elif exc is not None:
            self._lose(type(exc).__name__)
        else:
            self._lose("closed by the server")

    def _lose(self, why: str) -> None:
        if self.lost is None and not self.closing:
            self.lost = why
            self.lost_at = time.monotonic() - self.t0
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError(why))
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def close(self) -> None:
        """End the connection from our side (not counted as lost)."""
        self.closing = True
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def _parse_head(head: bytes) -> tuple[int, int | None, bool]:
    """(status, content-length or None, whether the server announced it will close)."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    length: int | None = None
    close = lines[0].startswith(b"HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
        elif name == b"connection":
            close = value.strip().lower() == b"close"
    return status, length, close


class IdleClients:
    """``count`` keep-alive connections to ``base_url``, opened, left idle, then verified."""

    def __init__(
        self,
        base_url: str,
        count: int,
        *,
        path: str = "/health",
        concurrency: int = OPEN_CONCURRENCY,
        timeout_s: float = 10.0,
    ) -> None:
        if not 0 < count <= MAX_IDLE:
            raise ValueError(f"idle connections must be between 1 and {MAX_IDLE}, not {count}")
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"idle connections need an http:// base URL, not {base_url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.count = count
        self.path = path
        self.concurrency = max(1, min(concurrency, count))
        self.timeout_s = timeout_s
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{self.port}\r\nUser-Agent: mercenary-perf-idle\r\n\r\n"
        ).encode()
        self.clients: list[_Client] = []
        self.open_failures: Counter[str] = Counter()
        self.verify_failures: Counter[str] = Counter()
        self.held = 0
        self._t0 = time.monotonic()
        self._open_started: float | None = None
        self._opened_at: float | None = None
        self._verified_at: float | None = None
        self.open_s: float | None = None
        self.verify_s: float | None = None

    async def _ask(self, client: _Client) -> str | None:
        """Ask on ``client`` once; None when it answered 200, else why not."""
        try:
            async with asyncio.timeout(self.timeout_s):
                status = await client.ask(self.request)
        except TimeoutError:
            return "timeout"
        except ConnectionError as exc:
            return str(exc)
        return None if status == 200 else f"status {status}"

    async def _open_one(self) -> None:
        loop = asyncio.get_running_loop()
        client: _Client | None = None
        try:
            async with asyncio.timeout(self.timeout_s):
                _, client = await loop.create_connection(lambda: _Client(self._t0), self.host, self.port)
        except TimeoutError:
            self.open_failures["connect timeout"] += 1
            return
        except OSError as exc:
            code = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
            self.open_failures[f"connect: {code}"] += 1
            return
        why = await self._ask(client)
        if why is not None:
            self.open_failures[why] += 1
            client.close()
            return
        self.clients.append(client)

    async def _workers(self, jobs: list[T], one: Callable[[T], Awaitable[None]]) -> None:
        """Run ``one`` over ``jobs`` with at most ``concurrency`` at a time."""

        async def worker() -> None:
            while jobs:
                await one(jobs.pop())

        await asyncio.gather(*(worker() for _ in range(self.concurrency)))

    async def open(self) -> None:
        """Open every connection (each answers its first ``GET`` before it counts as open)."""
        started = self._open_started = time.monotonic()
        await self._workers([None] * self.count, lambda _: self._open_one())
        self._opened_at = time.monotonic()
        self.open_s = round(self._opened_at - started, 2)

    async def verify(self) -> None:
        """Ask once more on every connection that stayed open; those that answer 200 are held."""
        started = self._verified_at = time.monotonic()

        async def one(client: _Client) -> None:
            if client.lost is not None:
                return
            why = await self._ask(client)
            if why is None:
                self.held += 1
            else:
                self.verify_failures[why] += 1

        await self._workers(list(self.clients), one)
        self.verify_s = round(time.monotonic() - started, 2)

    async def close(self) -> None:
        """Close every connection from our side and give the loop a moment to let them go."""
        for client in self.clients:
            client.close()
        await asyncio.sleep(0.1)

    def summary(self) -> dict[str, Any]:
        """Requested, opened, lost while idle (by reason), verified and held; errors = not held."""
        lost = Counter(c.lost for c in self.clients if c.lost is not None)
        first_lost = min((c.lost_at for c in self.clients if c.lost_at is not None), default=None)
        # Every connection was idle at least from the end of opening to the check, and the first one
        # from the start of opening: the latter is what to compare with the server's keep-alive timeout.
        least = most = None
        if self._open_started is not None and self._opened_at is not None and self._verified_at is not None:
            least = round(self._verified_at - self._opened_at, 1)
            most = round(self._verified_at - self._open_started, 1)
        return {
            "requested": self.count,
            "path": self.path,
            "open_concurrency": self.concurrency,
            "opened": len(self.clients),
            "open_s": self.open_s,
            "open_failures": dict(self.open_failures),
            "lost_while_idle": dict(lost),
            "first_lost_at_s": None if first_lost is None else round(first_lost, 1),
            "idle_at_least_s": least,
            "idle_at_most_s": most,
            "verify_s": self.verify_s,
            "verify_failures": dict(self.verify_failures),
            "held": self.held,
            "errors": self.count - self.held,
        }
