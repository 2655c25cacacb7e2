"""The job series of ``/metrics`` (OBS-1), measured where jobs run: how long each waited for a
worker, how long each attempt ran, and which attempts failed.

The worker process writes them like any other series: in memory, or, with
``PROMETHEUS_MULTIPROC_DIR`` set (the directory ``mercenary serve`` reads on the same host), in a
mapped file of its own that every scrape of the API sums with the web workers' files.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from dramatiq.middleware import Middleware

from mercenary.observability import registry


def waited_s(message: Any, now_ms: float) -> float:
    """Seconds between the moment ``message`` was due (its retry's ``eta``, else its creation)
    and ``now_ms``: a retry's backoff is a delay asked for, not a wait."""
    due = max(float(message.message_timestamp), float(message.options.get("eta", 0)))
    return max(now_ms - due, 0.0) / 1000


class JobMetrics(Middleware):
    """Observes ``queue_wait_seconds`` as a job starts, and ``job_duration_seconds`` (and
    ``job_failures_total`` when it raised) as it ends. Dramatiq calls both hooks of one message in
    the same worker thread, so the start time is kept per thread."""

    def __init__(self) -> None:
        self._local = threading.local()

    def before_process_message(self, broker: Any, message: Any) -> None:
        queue = message.queue_name.removesuffix(".DQ")
        registry.QUEUE_WAIT.labels(queue).observe(waited_s(message, time.time() * 1000))
        self._local.started = time.perf_counter()

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        started = getattr(self._local, "started", None)
        if started is not None:
            registry.JOB_DURATION.labels(message.actor_name).observe(time.perf_counter() - started)
            self._local.started = None
        if exception is not None:
            registry.JOB_FAILURES.labels(message.actor_name).inc()
