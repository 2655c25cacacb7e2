"""Statement timing: the one ``perf_counter`` pair a driver takes around a statement feeds both the
slow-statement log (DB-5) and the database time of the request it ran for (the ``db`` entry of the
``Server-Timing`` header, API-8).

The HTTP layer opens a :class:`DbClock` per request in :data:`request_clock`; statements run on
behalf of that request add their time to it, child tasks included (they copy the context, and the
clock is the same object). Outside a request (the CLI, seeding, a worker) there is no clock and
statements are only compared with the slow threshold. ``BEGIN``, ``COMMIT`` and ``ROLLBACK`` are
round trips too: they count in the request's time (:func:`charge`) but are not logged as slow
statements, and they are not counted in ``queries_executed``.

A process that exports metrics hands :func:`observe_statements` a callback (the statement-time
histogram's ``observe``): the storage layer stays ignorant of what is done with the figure. A process
that traces (``OTEL_ENABLED``) hands :func:`trace_statements` the function that records a span per
statement from the same timing (``observability/tracing.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from time import perf_counter
from typing import Any

from mercenary.db.slowlog import log_slow_statement


class DbClock:
    """The time one request has spent in database statements."""

    __slots__ = ("seconds",)

    def __init__(self) -> None:
        self.seconds = 0.0


request_clock: ContextVar[DbClock | None] = ContextVar("mercenary_db_clock", default=None)
_observer: Callable[[float], None] | None = None
_tracer: Callable[[str, str, float], None] | None = None


def observe_statements(observer: Callable[[float], None] | None) -> None:
    """Call ``observer`` with every statement's duration in seconds (None stops)."""
    global _observer
    _observer = observer


def trace_statements(tracer: Callable[[str, str, float], None] | None) -> None:
    """Call ``tracer(name, sql, seconds)`` as every statement returns (None stops)."""
    global _tracer
    _tracer = tracer


def statement_finished(
    query: object,
    sql: str,
    params: Mapping[str, Any],
    started: float,
    slow_after_s: float,
    *,
    rows: int | None = None,
) -> None:
    """A statement that began at ``started`` has returned (or failed): count its time in the current
    request's clock, and log it when it took longer than ``slow_after_s``."""
    elapsed = perf_counter() - started
    clock = request_clock.get()
    if clock is not None:
        clock.seconds += elapsed
    if _observer is not None:
        _observer(elapsed)
    if _tracer is not None:
        _tracer(getattr(query, "name", "sql"), sql, elapsed)
    if elapsed > slow_after_s:
        log_slow_statement(query, sql, params, elapsed, rows=rows)


def charge(started: float) -> None:
    """Count the time since ``started`` (a transaction's BEGIN, COMMIT or ROLLBACK) in the current
    request's clock."""
    clock = request_clock.get()
    if clock is not None:
        clock.seconds += perf_counter() - started
