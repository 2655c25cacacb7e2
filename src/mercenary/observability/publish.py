"""Counters kept elsewhere, copied into the exported series when they are read (OBS-1).

The cache store counts hits, misses, stale serves and errors in plain integers, and the pool knows
how many connections are lent out: incrementing a Prometheus counter on every cache read would add
a lock and (in multiprocess mode) a write to a mapped file per read. Instead :meth:`Publisher.publish`
adds what changed since the last call. It runs when ``/metrics`` is scraped, and, with several
worker processes (any of which may answer the scrape), every :data:`INTERVAL_S` in each of them.

With several workers the default process collector would report only the worker that answers;
:class:`ProcessSeries` writes each worker's RSS (one ``process_resident_memory_bytes`` series per
live ``pid``) and CPU time (``process_cpu_seconds_total``, summed) to the shared files instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from prometheus_client import Counter, Gauge, ProcessCollector

from mercenary.backends.breaker import CircuitBreaker
from mercenary.backends.cache import CacheStore
from mercenary.backends.ratelimit import RateLimiter
from mercenary.observability import registry

INTERVAL_S = 5.0
QUEUE_TIMEOUT_S = 1.0
CGROUP_LIMITS = (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))


class Pooled(Protocol):
    def pool_usage(self) -> tuple[int, int]: ...


class Queued(Protocol):
    async def depths(self) -> dict[str, int]: ...


class Shedding(Protocol):
    """The load monitor's figures (``web/overload.py``)."""

    shed: dict[str, int]
    limit: int


def memory_limit(files: tuple[Path, ...] = CGROUP_LIMITS) -> int:
    """The cgroup's memory limit in bytes, else the machine's physical memory."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in files:
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < physical:  # "max", or cgroup v1's huge "no limit"
            return int(text)
    return physical


class ProcessSeries:
    """This process's RSS and CPU time, written where every worker's can be read (multiprocess)."""

    def __init__(self) -> None:
        self._source = ProcessCollector(registry=None)
        self.rss = Gauge(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            registry=None,
            multiprocess_mode="liveall",
        )
        self.cpu = Counter("process_cpu_seconds", "Total user and system CPU time in seconds.", registry=None)
        self._cpu_seen = 0.0

    def publish(self) -> None:
        for family in self._source.collect():
            if family.name == "process_resident_memory_bytes":
                self.rss.set(family.samples[0].value)
            elif family.name == "process_cpu_seconds":
                total = family.samples[0].value
                self.cpu.inc(max(total - self._cpu_seen, 0.0))
                self._cpu_seen = total


class Publisher:
    """Copies one app's cache counters, pool usage, breaker states, shed requests, the job
    queue's depth (and, multiprocess, process figures) into the exported series."""

    def __init__(
        self,
        cache: CacheStore,
        db: Pooled,
        limiter: RateLimiter | None = None,
        overload: Shedding | None = None,
        queue: Queued | None = None,
        breakers: Sequence[CircuitBreaker] = (),
    ) -> None:
        self.cache = cache
        self.breakers = breakers  # more breakers to publish (blob storage's)
        self.db = db
        self.limiter = limiter
        self.overload = overload
        self.queue = queue
        self._seen: dict[tuple[str, str], int] = {}
        self._series = {
            "hits": registry.CACHE_HITS,
            "misses": registry.CACHE_MISSES,
            "stale": registry.CACHE_STALE,
            "errors": registry.CACHE_ERRORS,
        }
        self._process = ProcessSeries() if registry.multiprocess() else None
        registry.MEMORY_LIMIT.set(overload.limit if overload is not None else memory_limit())
        self._task: asyncio.Task[None] | None = None

    def publish(self) -> None:
        """Add what the counters gained since the last call; set the gauges."""
        for name, counters in list(self.cache.counters.items()):
            for field, series in self._series.items():
                value = getattr(counters, field)
                seen = self._seen.get((name, field), 0)
                if value > seen:
                    series.labels(name).inc(value - seen)
                    self._seen[(name, field)] = value
                elif not seen:
                    series.labels(name)  # the series exists (at 0) once the kind has been used
        if self.limiter is not None:
            limits = self.limiter.counters
            for field, series in (
                ("checked", registry.RATELIMIT_CHECKED),
                ("limited", registry.RATELIMIT_REJECTIONS),
                ("failed_open", registry.RATELIMIT_FAILED_OPEN),
            ):
                value, seen = getattr(limits, field), self._seen.get(("ratelimit", field), 0)
                if value > seen:
                    series.inc(value - seen)
                    self._seen[("ratelimit", field)] = value
        registry.BREAKER_STATE.labels("cache").set(self.cache.breaker.level())
        if self.limiter is not None:
            registry.BREAKER_STATE.labels("rate_limit").set(self.limiter.breaker.level())
        for breaker in self.breakers:
            registry.BREAKER_STATE.labels(breaker.name).set(breaker.level())
        if self.overload is not None:
            for reason, value in list(self.overload.shed.items()):
                seen = self._seen.get(("shed", reason), 0)
                if value > seen:
                    registry.REQUESTS_SHED.labels(reason).inc(value - seen)
                    self._seen[("shed", reason)] = value
        in_use, size = self.db.pool_usage()
        registry.DB_POOL_IN_USE.set(in_use)
        registry.DB_POOL_SIZE.set(size)
        if self._process is not None:
            self._process.publish()

    async def publish_queue(self) -> None:
        """Read every priority's depth from the broker (bounded by :data:`QUEUE_TIMEOUT_S`); while
        the broker does not answer the gauges keep their last values and the scrape goes on."""
        if self.queue is None:
            return
        try:
            depths = await asyncio.wait_for(self.queue.depths(), QUEUE_TIMEOUT_S)
        except Exception:  # the queue's own health shows on /ready; a scrape must not fail for it
            return
        for queue, depth in depths.items():
            registry.QUEUE_DEPTH.labels(queue).set(depth)

    def start(self) -> None:
        """Publish every :data:`INTERVAL_S` in the background: with several workers, a scrape is
        answered by one of them and must find the others' figures in the shared files."""
        if self._process is not None and self._task is None:
            self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            self.publish()
            await self.publish_queue()
            await asyncio.sleep(INTERVAL_S)

    async def stop(self) -> None:
        """Stop publishing; a worker that exits takes its live gauges (RSS, pool) with it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._process is not None:
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
