"""Latency and outcome recording: HDR histograms per endpoint, overall, and per second.

Latencies are recorded in microseconds. Every outcome falls in exactly one class:
``ok`` (2xx/3xx), ``client`` (an expected 4xx), ``server`` (5xx), ``timeout`` or
``connection``. The error rate of the SLOs counts 5xx, timeouts and connection errors
(SLO-3); 4xx answers are reported beside it, never hidden in it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram  # type: ignore[import-untyped]

LOWEST_US = 1
HIGHEST_US = 120_000_000  # two minutes: anything longer is a timeout anyway
SIG_FIGS = 3
ERROR_CLASSES = ("server", "timeout", "connection")
OUTCOMES = ("ok", "client", *ERROR_CLASSES)


def new_histogram(sig_figs: int = SIG_FIGS) -> Any:
    """Return an empty HDR histogram covering 1 us .. 120 s."""
    return HdrHistogram(LOWEST_US, HIGHEST_US, sig_figs)


def classify(status: int | None, error: str | None = None) -> str:
    """Map an HTTP status (or a transport error kind) to an outcome class."""
    if error is not None:
        return "timeout" if error == "timeout" else "connection"
    if status is None or status >= 500:
        return "server"
    if status >= 400:
        return "client"
    return "ok"


def _ms(value_us: float) -> float:
    return round(value_us / 1000.0, 3)


@dataclass
class Series:
    """Counts and latencies of one group of requests (an endpoint, or all of them)."""

    hist: Any = field(default_factory=new_histogram)
    outcomes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)

    def record(self, latency_us: int, outcome: str, status: int | None) -> None:
        """Add one completed (or failed) request."""
        self.hist.record_value(max(LOWEST_US, min(latency_us, HIGHEST_US)))
        self.outcomes[outcome] += 1
        if status is not None:
            self.statuses[status] += 1

    @property
    def count(self) -> int:
        """Number of requests recorded."""
        return sum(self.outcomes.values())

    @property
    def errors(self) -> int:
        """Requests that failed in the SLO sense (5xx, timeout, connection)."""
        return sum(self.outcomes[c] for c in ERROR_CLASSES)

    def summary(self, duration_s: float) -> dict[str, Any]:
        """Return the JSON-ready summary of this series."""
        n = self.count
        h = self.hist
        pct = {f"p{p}": _ms(h.get_value_at_percentile(p)) if n else None for p in (50, 90, 95, 99, 99.9)}
        return {
            "count": n,
            "rate": round(n / duration_s, 2) if duration_s > 0 else 0.0,
            # Requests answered without an SLO error, per second: what a throughput target means.
            "goodput": round((n - self.errors) / duration_s, 2) if duration_s > 0 else 0.0,
            "latency_ms": {
                **pct,
                "min": _ms(h.get_min_value()) if n else None,
                "mean": _ms(h.get_mean_value()) if n else None,
                "max": _ms(h.get_max_value()) if n else None,
            },
            "outcomes": {o: self.outcomes[o] for o in OUTCOMES},
            "errors": self.errors,
            "failures": n - self.outcomes["ok"],
            "error_rate": round(self.errors / n, 6) if n else 0.0,
            "client_error_rate": round(self.outcomes["client"] / n, 6) if n else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "missing": n > 0 and self.statuses.get(404, 0) + self.statuses.get(405, 0) == n,
            "hdr": h.encode().decode("ascii") if n else "",
        }


class Recorder:
    """Collects every request of a run, keyed by endpoint name and by intended-send second."""

    def __init__(self) -> None:
        self.overall = Series()
        self.endpoints: dict[str, Series] = {}
        self.flows: dict[
            str, Series
        ] = {}  # whole flows (e.g. log in then create), first intent to last answer
        self.seconds: dict[int, Series] = {}
        self.rows: dict[int, dict[str, Any]] = {}  # seconds already folded into summary rows
        self.lag = new_histogram(2)  # how late the scheduler fired, in us: the generator's own health

    def record(
        self,
        endpoint: str,
        intended_offset_s: float,
        latency_us: int,
        status: int | None,
        error: str | None = None,
    ) -> str:
        """Record one request; ``intended_offset_s`` is its intended send time from run start."""
        outcome = classify(status, error)
        self.overall.record(latency_us, outcome, status)
        self.endpoints.setdefault(endpoint, Series()).record(latency_us, outcome, status)
        second = int(intended_offset_s)
        if second in self.rows:  # arrived after its second was folded: keep the row honest
            self.rows[second]["count"] += 1
            self.rows[second]["errors"] += outcome in ERROR_CLASSES
            self.rows[second]["max"] = max(self.rows[second]["max"], _ms(latency_us))
            return outcome
        if second not in self.seconds:
            self.seconds[second] = Series(hist=new_histogram(2))
        self.seconds[second].record(latency_us, outcome, status)
        return outcome

    def record_flow(self, name: str, latency_us: int, failed: bool) -> None:
        """Record one completed flow; it fails when any of its requests did not succeed."""
        self.flows.setdefault(name, Series()).record(latency_us, "server" if failed else "ok", None)

    def record_lag(self, lag_us: int) -> None:
        """Record how late the scheduler dispatched a request relative to its intended time."""
        self.lag.record_value(max(LOWEST_US, min(lag_us, HIGHEST_US)))

    def fold(self, before_second: int) -> None:
        """Turn the histograms of seconds before ``before_second`` into rows (bounds memory on soaks)."""
        for second in [s for s in self.seconds if s < before_second]:
            self.rows[second] = _row(second, self.seconds.pop(second))

    def timeseries(self) -> list[dict[str, Any]]:
        """Per-second rows by intended send second: sent, outcomes and latency percentiles."""
        self.fold(1 << 62)
        return [self.rows[s] for s in sorted(self.rows)]

    def lag_summary(self) -> dict[str, float | None]:
        """Scheduler lag percentiles in milliseconds."""
        if self.lag.get_total_count() == 0:
            return {"p50": None, "p99": None, "max": None}
        return {
            "p50": _ms(self.lag.get_value_at_percentile(50)),
            "p99": _ms(self.lag.get_value_at_percentile(99)),
            "max": _ms(self.lag.get_max_value()),
        }


def _row(second: int, s: Series) -> dict[str, Any]:
    return {
        "t": second,
        "count": s.count,
        "errors": s.errors,
        "client_errors": s.outcomes["client"],
        "p50": _ms(s.hist.get_value_at_percentile(50)),
        "p95": _ms(s.hist.get_value_at_percentile(95)),
        "p99": _ms(s.hist.get_value_at_percentile(99)),
        "max": _ms(s.hist.get_max_value()),
    }
