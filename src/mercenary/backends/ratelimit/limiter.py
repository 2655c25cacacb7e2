"""Fixed windows over a counting backend, and failing open when the backend fails (RES-1, RES-3).

A rule allows ``limit`` hits per ``period`` seconds. Windows are aligned to the clock (the hour
window starts on the hour), so a hit is one ``incr`` of the key ``<rule>:<who>:<window number>``
and the time the window resets is known without asking the backend: with Redis, counts go in
batches (``batched.py``), which is why fixed windows were chosen over moving ones (a moving window
costs a sorted set per key and several commands per hit). The price is the known burst at a
window's edge: up to twice the limit across two adjacent windows.

When the backend fails (Redis down or slow), the request is allowed (fail open: a limiter outage is
no reason to refuse the traffic it protects), the failure is counted in ``counters`` (shown by
``/ready``), and the limiter's circuit breaker opens for ``BYPASS_AFTER_ERROR_S`` (``breaker.py``),
so a hung Redis does not cost every request a timeout; then one hit probes the backend.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from mercenary.backends.breaker import CircuitBreaker
from mercenary.backends.ratelimit.base import RateLimitBackend

log = logging.getLogger("mercenary.ratelimit")

BYPASS_AFTER_ERROR_S = 1.0


@dataclass(frozen=True, slots=True)
class Rule:
    """``limit`` hits per ``period`` seconds for one route class (``name``)."""

    name: str
    limit: int
    period: int


class Verdict(NamedTuple):
    """One check's answer: allowed or not, and what the ``RateLimit-*`` headers say. A tuple, as
    one is made per request: a frozen dataclass costs a function call per field to build."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the window ends

    def headers(self) -> list[tuple[bytes, bytes]]:
        """``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds)."""
        return [
            (b"ratelimit-limit", b"%d" % self.limit),
            (b"ratelimit-remaining", b"%d" % self.remaining),
            (b"ratelimit-reset", b"%d" % self.reset_s),
        ]


@dataclass
class RateLimitCounters:
    """What ``/ready`` shows: hits counted, hits refused, backend errors, requests let through
    uncounted because the backend had failed (fail open)."""

    checked: int = 0
    limited: int = 0
    errors: int = 0
    failed_open: int = 0


class RateLimiter:
    """Checks hits against rules on one backend."""

    def __init__(self, backend: RateLimitBackend, backend_name: str) -> None:
        self.backend = backend
        self.backend_name = backend_name
        self.counters = RateLimitCounters()
        # Open after a backend failure: hits go uncounted (fail open) until a probe gets through.
        self.breaker = CircuitBreaker("rate_limit", BYPASS_AFTER_ERROR_S)

    @classmethod
    def open(cls, url: str, prefix: str) -> RateLimiter:
        """The limiter on the backend ``url`` chooses: ``memory://`` or ``redis://`` (imported lazily)."""
        scheme = urlsplit(url).scheme
        if scheme == "memory":
            from mercenary.backends.ratelimit.memory import MemoryRateLimitBackend

            return cls(MemoryRateLimitBackend(), "memory")
        if scheme in ("redis", "rediss"):
            from mercenary.backends.ratelimit.batched import BatchedCounters
            from mercenary.backends.ratelimit.redis import RedisRateLimitBackend

            limiter = cls(BatchedCounters(RedisRateLimitBackend(url, prefix)), "redis")
            limiter.backend.on_error = limiter.backend_failed  # type: ignore[attr-defined]
            return limiter
        raise ValueError(f"unsupported rate-limit URL scheme {scheme!r}; use memory:// or redis://")

    async def hit(self, rule: Rule, who: str) -> Verdict | None:
        """Count one hit of ``who`` (``ip:1.2.3.4``, ``user:7``, ...) against ``rule``. None when the
        backend failed and the hit went uncounted (allowed)."""
        breaker = self.breaker
        if breaker.state and not breaker.allow():  # closed (0): one attribute read
            self.counters.failed_open += 1
            return None
        now = time.time()
        window = int(now // rule.period)
        try:
            count = await self.backend.incr(f"{rule.name}:{who}:{window}", rule.period)
        except Exception as exc:  # any backend failure: count it and let the request through
            self.backend_failed(exc)
            self.counters.failed_open += 1
            return None
        if breaker.state:  # the half-open probe succeeded
            breaker.success()
        self.counters.checked += 1
        allowed = count <= rule.limit
        if not allowed:
            self.counters.limited += 1
        reset_s = max(int((window + 1) * rule.period - now + 0.999), 1)
        return Verdict(allowed, rule.limit, max(rule.limit - count, 0), reset_s)

    def backend_failed(self, exc: BaseException) -> None:
        """Count a backend failure and leave the backend alone for ``BYPASS_AFTER_ERROR_S``: every
        hit until then is let through uncounted (fail open)."""
        self.counters.errors += 1
        self.breaker.failure(BYPASS_AFTER_ERROR_S)  # the module's value, read now (tests shorten it)
        log.warning("rate limiter: backend failed (%s); failing open", type(exc).__name__)

    async def ping(self) -> None:
        """Raise if the backend cannot count."""
        await self.backend.ping()

    async def close(self) -> None:
        """Close the backend."""
        await self.backend.close()
