"""A circuit breaker for a backend that may fail: closed, open, half-open (RES-3).

Closed: calls go to the backend. A failure opens the breaker: for ``open_s`` seconds no call goes
to the backend, and the caller takes its fallback at once (the cache serves from the database, the
rate limiter lets the request through uncounted) instead of waiting for a hung Redis on every
request. When ``open_s`` has passed, the breaker is half-open: one call (the probe) goes through;
its success closes the breaker, its failure opens it again. A probe that never reports (its task
was cancelled) is replaced by another after ``open_s``.

One failure is enough to open: these backends are on the request path, and a Redis that fails one
call of a request is likely to fail the next (a timeout already cost the caller its wait). The
closed path is a single attribute read, so guarding every cache read costs nothing measurable.

What a caller does while the breaker is open (fail open: serve without the backend; fail closed:
refuse) is the caller's choice, documented where it is made (docs/resilience.md).
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)

CLOSED, HALF_OPEN, OPEN = 0, 1, 2
STATE_NAMES = {CLOSED: "closed", HALF_OPEN: "half_open", OPEN: "open"}


class CircuitBreaker:
    """The state of one backend, as ``breaker_state{backend}`` reports it (0, 1, 2)."""

    def __init__(self, name: str, open_s: float = 1.0) -> None:
        self.name = name
        self.open_s = open_s
        self.state = CLOSED
        self.opened = 0  # times the breaker opened, shown by /ready
        self._until = 0.0  # OPEN: when a probe may go; HALF_OPEN: when a lost probe is replaced

    @property
    def state_name(self) -> str:
        """``closed``, ``half_open`` or ``open``, as ``/ready`` shows it."""
        return STATE_NAMES[self.level()]

    def level(self) -> int:
        """0 closed, 1 half-open (or open and due for its probe), 2 open."""
        if self.state == OPEN and time.monotonic() >= self._until:
            return HALF_OPEN
        return self.state

    def allow(self) -> bool:
        """Whether this call may go to the backend. A caller that got True reports the call's
        :meth:`failure`, and its :meth:`success` when the breaker is not closed (``state`` != 0:
        the probe); callers on the hot path test ``state`` first and skip both calls while closed."""
        if self.state == CLOSED:
            return True
        now = time.monotonic()
        if now < self._until:
            return False  # open, or half-open with its probe still out
        # Open long enough (or the probe was lost): this call is the probe.
        self.state = HALF_OPEN
        self._until = now + self.open_s
        return True

    def success(self) -> None:
        """The backend answered: a half-open breaker closes."""
        if self.state != CLOSED:
            self.state = CLOSED
            self._until = 0.0
            log.warning("breaker %s: closed, the backend answers again", self.name)

    def failure(self, open_s: float | None = None) -> None:
        """The backend failed: the breaker opens for ``open_s`` (default: the breaker's)."""
        if open_s is not None:
            self.open_s = open_s
        if self.state != OPEN:
            self.opened += 1
            log.warning("breaker %s: open for %.1f s, the backend failed", self.name, self.open_s)
        self.state = OPEN
        self._until = time.monotonic() + self.open_s
