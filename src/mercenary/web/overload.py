"""Load shedding: heavy requests get a fast 503 while the instance is overloaded (RES-4, RES-7).

A background task (:meth:`LoadMonitor.start`) looks every ``SHED_CHECK_MS`` at three signs of
overload and sets one attribute, :attr:`LoadMonitor.reason`:

- ``pool``: requests are waiting for a database connection, at two samples in a row (PostgreSQL;
  on SQLite reads never wait for the writer, so a held writer is no reason to refuse a search).
  A pool with every connection lent out is not yet overload: under a steady thousand requests a
  second it happens for a few milliseconds at a time, and one such sample used to refuse searches
  for ``SHED_HOLD_S``. Requests still queueing for a connection a whole interval later are;
- ``loop_lag``: the monitor's own timer fired ``SHED_LOOP_LAG_MS`` late, so the event loop is
  busy with other work and every request waits its turn;
- ``memory``: the resident set passed ``SHED_MEMORY_SHED`` of the memory limit (the cgroup's, or
  ``MEMORY_LIMIT_BYTES``). Past ``SHED_MEMORY_WARN`` a warning is logged first, once per crossing.

A condition keeps shedding for ``SHED_HOLD_S`` after it was last seen, so a pool that saturates in
bursts does not let every other heavy request through. Heavy routes (search, lists with
``include=``) call :meth:`LoadMonitor.check`: an attribute read when the instance is healthy, and
:class:`~mercenary.errors.OverloadedError` (503 ``overloaded``, ``Retry-After``) when it is not.
Light routes never call it and pay nothing. Nothing is measured per request: the cost of looking
is the monitor's, ten times a second, whatever the traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path
from typing import Protocol

from mercenary.errors import OverloadedError
from mercenary.observability.publish import memory_limit
from mercenary.settings import Settings

log = logging.getLogger("mercenary.overload")

STATM = Path("/proc/self/statm")
PAGE = os.sysconf("SC_PAGE_SIZE")
# In the order a reason is reported when several hold: the most dangerous first.
REASONS = ("memory", "pool", "loop_lag")


class Pooled(Protocol):
    def pool_waiting(self) -> int: ...


def resident_bytes() -> int:
    """This process's resident set (Linux: ``/proc/self/statm``); 0 where it cannot be read."""
    try:
        return int(STATM.read_bytes().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class LoadMonitor:
    """Whether this process sheds heavy requests now, and how many it shed, by reason."""

    def __init__(self, db: Pooled, settings: Settings, *, pool_waits: bool = True) -> None:
        self.db = db
        self.enabled = settings.SHED_ENABLED
        self.pool_waits = pool_waits  # whether a saturated pool makes requests wait (not SQLite's)
        self.interval_s = settings.SHED_CHECK_MS / 1000
        self.lag_limit_s = settings.SHED_LOOP_LAG_MS / 1000
        self.hold_s = settings.SHED_HOLD_S
        self.limit = settings.MEMORY_LIMIT_BYTES or memory_limit()
        self.warn_bytes = int(self.limit * settings.SHED_MEMORY_WARN)
        self.shed_bytes = int(self.limit * settings.SHED_MEMORY_SHED)
        self.reason: str | None = None  # the one attribute the request path reads
        self.shed: dict[str, int] = {}  # requests refused, by reason (published at scrape)
        self.lag_s = 0.0
        self.rss = 0
        self._seen: dict[str, float] = {}  # reason -> when it last held (monotonic)
        self._waited = False  # whether requests were waiting for a connection at the last sample
        self._warned = False
        self._task: asyncio.Task[None] | None = None

    def check(self) -> None:
        """Raise :class:`OverloadedError` when heavy requests are being shed."""
        reason = self.reason
        if reason is not None:
            self.shed[reason] = self.shed.get(reason, 0) + 1
            raise OverloadedError(
                "The service is overloaded; this request was refused to keep others fast.",
                retry_after=max(round(self.hold_s), 1),
                reason=reason,
            )

    def sample(self, lag_s: float = 0.0) -> None:
        """Look once: ``lag_s`` is how late the monitor's timer fired."""
        now = time.monotonic()
        self.lag_s = lag_s
        if lag_s >= self.lag_limit_s:
            self._seen["loop_lag"] = now
        if self.pool_waits:
            waiting = self.db.pool_waiting() > 0
            if waiting and self._waited:
                self._seen["pool"] = now
            self._waited = waiting
        self.rss = rss = resident_bytes()
        if rss >= self.shed_bytes:
            self._seen["memory"] = now
        if rss >= self.warn_bytes and not self._warned:
            self._warned = True
            log.warning(
                "memory: resident %d MB of a %d MB limit; heavy requests are shed from %d MB",
                rss >> 20,
                self.limit >> 20,
                self.shed_bytes >> 20,
            )
        elif rss < self.warn_bytes * 0.95:  # a margin, so hovering at the line does not flood the log
            self._warned = False
        reason = None
        if self.enabled:
            reason = next((r for r in REASONS if now - self._seen.get(r, -1e9) <= self.hold_s), None)
        if reason != self.reason:
            log.warning("load shedding: %s", f"heavy requests refused ({reason})" if reason else "stopped")
        self.reason = reason

    def start(self) -> None:
        """Look every ``SHED_CHECK_MS`` in the background, in this event loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.interval_s
            await asyncio.sleep(self.interval_s)
            try:
                self.sample(max(loop.time() - due, 0.0))
            except Exception:  # a monitor that died would leave the last verdict forever
                log.exception("load monitor: a sample failed")

    async def stop(self) -> None:
        """Stop looking."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
