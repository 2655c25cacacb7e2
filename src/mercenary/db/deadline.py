"""The time by which the current request's database work must have given up (RES-2, RES-5).

The request deadline (``web/middleware/deadline.py``) sets it, a reserve before the deadline itself,
so that a wait for a lock held elsewhere (SQLite's writer lock held by another process, or this
process's own writers queued behind it) ends in ``503 database_busy`` with ``Retry-After`` while
the request can still answer, rather than being cancelled into ``503 deadline_exceeded``. Outside
a request (the worker, the CLI) it is unset and the waits keep their own bounds.
"""

from __future__ import annotations

import contextvars
import time

# time.monotonic() seconds; None outside a request.
WORK_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("work_deadline", default=None)


def remaining(bound_s: float) -> float:
    """``bound_s``, cut to the time left before the current request's work deadline (>= 0)."""
    deadline = WORK_DEADLINE.get()
    if deadline is None:
        return bound_s
    return max(0.0, min(bound_s, deadline - time.monotonic()))
