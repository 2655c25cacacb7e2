"""Every metric series the service exports, defined once (OBS-1), and how more are added.

prometheus-client keeps one value per series in memory, or, when ``PROMETHEUS_MULTIPROC_DIR`` is set
before it is imported, in a memory-mapped file per process that a scrape of any worker sums
(``exposition.py``). ``mercenary serve --workers N`` sets that directory, so every series below is
correct whichever worker answers the scrape.

The job series are written by the worker processes (``worker/metrics.py``): with the same
``PROMETHEUS_MULTIPROC_DIR`` as ``mercenary serve`` on their host, a scrape of the API shows them.
The queue's depth is read from the broker by the API itself, so it shows while no worker runs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# The *_created series double the page for no use here (Prometheus does not need them for rate()).
disable_created_metrics()  # type: ignore[no-untyped-call]

# Request latency buckets around the SLOs (p95 < 300 ms): fine below 100 ms, coarse above 1 s.
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)
# One statement: an OLTP read takes tens of microseconds on SQLite, a few hundred on PostgreSQL.
# A job's wait for a worker (the alert fires past 2 s) and its run (from a mail to a PDF render).
JOB_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
STATEMENT_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.8, 2.0)


def multiprocess() -> bool:
    """Whether values live in shared files (``PROMETHEUS_MULTIPROC_DIR`` set before the import)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def counter(name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
    """A counter (exported as ``<name>_total``), summed over worker processes."""
    return Counter(name, documentation, labels)


GaugeMode = Literal["livesum", "liveall", "livemax", "livemostrecent"]


def gauge(name: str, documentation: str, labels: Sequence[str] = (), *, mode: GaugeMode = "livesum") -> Gauge:
    """A gauge; ``mode`` says how worker processes combine (``livesum``: the sum over live ones;
    ``liveall``: one series per live process, labelled ``pid``; ``livemax``; ``livemostrecent``: the
    value a live process set last)."""
    return Gauge(name, documentation, labels, multiprocess_mode=mode)


def histogram(
    name: str, documentation: str, labels: Sequence[str] = (), *, buckets: Sequence[float]
) -> Histogram:
    """A histogram with explicit ``buckets`` (seconds), summed over worker processes."""
    return Histogram(name, documentation, labels, buckets=buckets)


REQUEST_DURATION = histogram(
    "request_duration_seconds",
    "Time from the request's arrival to its last byte, by route template, method and status.",
    ("route", "method", "status"),
    buckets=REQUEST_BUCKETS,
)
DB_STATEMENT_DURATION = histogram(
    "db_statement_duration_seconds",
    "Time of one database statement, from the driver's call to its result.",
    buckets=STATEMENT_BUCKETS,
)
CACHE_HITS = counter("cache_hits", "Reads served from the cache, per kind of cached value.", ("cache",))
CACHE_MISSES = counter("cache_misses", "Reads that loaded from the database, per kind.", ("cache",))
CACHE_STALE = counter("cache_stale", "Stale values served because the database failed, per kind.", ("cache",))
CACHE_ERRORS = counter("cache_errors", "Cache backend failures bypassed, per kind.", ("cache",))
RATELIMIT_CHECKED = counter("ratelimit_checked", "Requests counted against a rate limit.")
RATELIMIT_REJECTIONS = counter("ratelimit_rejections", "Requests refused by the rate limiter (429).")
RATELIMIT_FAILED_OPEN = counter(
    "ratelimit_failed_open", "Requests let through uncounted because the limiter's backend had failed."
)
DB_POOL_IN_USE = gauge("db_pool_in_use", "Database connections lent out (the SQLite writer while held).")
DB_POOL_SIZE = gauge("db_pool_size", "Database connections the pool may open (DB_POOL_SIZE; 1 on SQLite).")
BREAKER_STATE = gauge(
    "breaker_state",
    "A backend's circuit breaker: 0 closed, 1 half-open, 2 open (the worst over workers).",
    ("backend",),
    mode="livemax",
)
REQUESTS_SHED = counter(
    "requests_shed",
    "Heavy requests refused with 503 overloaded, by reason (pool, loop_lag, memory).",
    ("reason",),
)
MEMORY_LIMIT = gauge(
    "memory_limit_bytes",
    "The memory this instance may use: its cgroup's limit, else the machine's RAM.",
    mode="livemax",
)
QUEUE_DEPTH = gauge(
    "queue_depth",
    "Jobs waiting, delayed or running, per priority queue (read from the broker by the API).",
    ("queue",),
    mode="livemostrecent",
)
QUEUE_WAIT = histogram(
    "queue_wait_seconds",
    "Time from a job's enqueue (or its retry's due time) to a worker starting it, per priority queue.",
    ("queue",),
    buckets=JOB_BUCKETS,
)
JOB_DURATION = histogram(
    "job_duration_seconds",
    "Run time of one attempt of a job, failed or not, per job name.",
    ("job_name",),  # not "job": Prometheus's own target label, which would rename it exported_job
    buckets=JOB_BUCKETS,
)
JOB_FAILURES = counter(
    "job_failures", "Attempts of a job that raised, per job name (retried or not).", ("job_name",)
)
