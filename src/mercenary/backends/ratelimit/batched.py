"""Local-first counting over a shared backend: one Redis round trip per key per flush, not per hit.

A check that waits for Redis costs the API process a round trip on every request (measured on a
cached GET by id: +0.55 M instructions, +26 %). Here the first hit of a key (a client's window) in
this process is counted in Redis at once, so a fresh window starts from the true total; later hits
are counted here and sent in one pipeline every ``FLUSH_S``, and each answer refreshes what this
process knows of the total. The check reads ``known total + hits not yet acknowledged``.

The price is a bound, not a leak: each process may let a client through up to the hits it sees in
one ``FLUSH_S`` beyond the limit (at 1,000 req/s from one client, 100 with ``FLUSH_S = 0.1``).
A failed flush keeps its hits for the next one and tells the limiter, which fails open.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

log = logging.getLogger("mercenary.ratelimit")

FLUSH_S = 0.1


class SharedCounters(Protocol):
    """A backend that counts in one place for every process (Redis)."""

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int: ...

    async def incr_many(self, items: Sequence[tuple[str, int, int]]) -> list[int]: ...

    async def ping(self) -> None: ...

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


class _Count:
    __slots__ = ("expires", "expiry", "inflight", "pending", "shared")

    def __init__(self, shared: int, expiry: int, expires: float) -> None:
        self.shared = shared  # the total Redis last answered
        self.pending = 0  # hits counted here, not sent yet
        self.inflight = 0  # hits sent, not acknowledged yet
        self.expiry = expiry
        self.expires = expires


class BatchedCounters:
    """``RateLimitBackend`` over ``shared``, flushing local hits every ``FLUSH_S``."""

    def __init__(self, shared: SharedCounters) -> None:
        self.shared = shared
        self.on_error: Callable[[BaseException], None] = lambda _exc: None
        self._counts: dict[str, _Count] = {}
        self._flush: asyncio.Task[None] | None = None

    async def incr(self, key: str, expiry: int) -> int:
        now = time.monotonic()
        count = self._counts.get(key)
        if count is None or count.expires <= now:
            total = await self.shared.incr(key, expiry)
            self._counts[key] = _Count(total, expiry, now + expiry)
            return total
        count.pending += 1
        if self._flush is None:
            self._flush = asyncio.get_running_loop().create_task(self._flush_soon())
        return count.shared + count.inflight + count.pending

    async def _flush_soon(self) -> None:
        try:
            await asyncio.sleep(FLUSH_S)
            await self.flush()
        finally:
            self._flush = None

    async def flush(self) -> None:
        """Send every key's unsent hits in one pipeline and learn their totals; drop expired keys."""
        now = time.monotonic()
        self._counts = {k: c for k, c in self._counts.items() if c.expires > now}
        batch = [(k, c) for k, c in self._counts.items() if c.pending]
        if not batch:
            return
        for _, c in batch:
            c.inflight, c.pending = c.pending, 0
        try:
            totals = await self.shared.incr_many([(k, c.expiry, c.inflight) for k, c in batch])
        except Exception as exc:
            for _, c in batch:  # kept for the next flush
                c.pending += c.inflight
                c.inflight = 0
            log.warning("rate limiter: flush failed (%s)", type(exc).__name__)
            self.on_error(exc)
            return
        for (_, c), total in zip(batch, totals, strict=True):
            c.shared, c.inflight = total, 0

    async def ping(self) -> None:
        await self.shared.ping()

    async def clear(self, key: str) -> None:
        self._counts.pop(key, None)
        await self.shared.clear(key)

    async def close(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
        try:
            await self.flush()
        except Exception:  # closing: what cannot be sent is lost with the process's other state
            log.debug("rate limiter: last flush failed", exc_info=True)
        await self.shared.close()
