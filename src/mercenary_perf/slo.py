"""Thresholds and their verdicts.

A threshold names the requirement it enforces (``SLO-1`` ...), a metric, a scope and a
limit. Scopes are ``overall``, an endpoint name, or ``group:<name>`` (endpoints merged).
Metrics are latency percentiles in ms (``p50``/``p95``/``p99``/``max``), ``error_rate``
(5xx + timeouts + connection errors over all requests), ``errors`` (a count), ``rate``
(requests sent per second), ``goodput`` (requests answered without an error per second), or
a value the scenario measured itself, looked up in ``extra``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_LATENCY = ("p50", "p90", "p95", "p99", "p99.9", "max", "mean")


@dataclass(frozen=True)
class Threshold:
    """One pass/fail line of a scenario's SLO table."""

    requirement: str
    metric: str
    op: str
    limit: float
    scope: str = "overall"
    unit: str = ""

    @property
    def label(self) -> str:
        """Human form, e.g. ``p95 (group:read) < 200 ms``."""
        unit = f" {self.unit}" if self.unit else (" ms" if self.metric in _LATENCY else "")
        return f"{self.metric} ({self.scope}) {self.op} {self.limit:g}{unit}"


def p95(limit_ms: float, req: str, scope: str = "overall") -> Threshold:
    """p95 latency below ``limit_ms``."""
    return Threshold(req, "p95", "<", limit_ms, scope)


def p99(limit_ms: float, req: str, scope: str = "overall") -> Threshold:
    """p99 latency below ``limit_ms``."""
    return Threshold(req, "p99", "<", limit_ms, scope)


def error_rate(limit: float, req: str, scope: str = "overall") -> Threshold:
    """Error rate (5xx, timeouts, connection errors) below ``limit`` (a fraction)."""
    return Threshold(req, "error_rate", "<", limit, scope)


def _lookup(measured: dict[str, Any], t: Threshold) -> tuple[float | None, str]:
    """Return (value, reason-if-none) for a threshold."""
    if t.scope == "extra":
        value = measured.get("extra", {}).get(t.metric)
        return (None, "not measured") if value is None else (float(value), "")
    if t.scope == "overall":
        summary = measured.get("overall")
    elif t.scope.startswith("flow:"):
        summary = measured.get("flows", {}).get(t.scope[5:])
    elif t.scope.startswith("group:"):
        summary = measured.get("groups", {}).get(t.scope[6:])
    else:
        summary = measured.get("endpoints", {}).get(t.scope)
    if not summary or not summary.get("count"):
        return None, "no requests"
    if summary.get("missing"):
        return None, "endpoint missing (all 404/405)"
    if t.metric in _LATENCY:
        value = summary["latency_ms"].get(t.metric)
    elif t.metric in ("error_rate", "errors", "failures", "rate", "goodput", "count", "client_error_rate"):
        value = summary[t.metric]
    else:
        return None, f"unknown metric {t.metric}"
    return (None, "no value") if value is None else (float(value), "")


def evaluate(thresholds: list[Threshold], measured: dict[str, Any]) -> list[dict[str, Any]]:
    """Judge every threshold against the measured summaries; no data is a FAIL, never a pass."""
    rows = []
    for t in thresholds:
        value, reason = _lookup(measured, t)
        passed = value is not None and _OPS[t.op](value, t.limit)
        rows.append(
            {
                "requirement": t.requirement,
                "metric": t.metric,
                "scope": t.scope,
                "op": t.op,
                "limit": t.limit,
                "label": t.label,
                "value": value,
                "passed": passed,
                "note": reason,
            }
        )
    return rows
