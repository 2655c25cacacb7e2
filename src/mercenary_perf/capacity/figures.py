"""The measured figures a capacity plan needs, read from the harness's JSON reports.

A plan needs three things measured on the reference instance: what one instance carries (the
knee of a ``stress`` run, else the rate of a run that passed its thresholds: a lower bound), how
long requests take (p50 / p95 of a run below the knee, normally ``mixed``), and how much memory
the instance used (the ``rss`` samples the rig takes). Anything missing is a
``CapacityInputError`` naming the file and the field, never a plan built on a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UNRELIABLE = "UNRELIABLE"


class CapacityInputError(Exception):
    """A report is unreadable or lacks a figure the plan needs."""


@dataclass(frozen=True)
class Figures:
    """What one instance of the measured shape did, and where each figure came from."""

    instance_rps: float  # the highest rate one instance carried within the SLOs
    instance_rps_source: str
    instance_rps_is_lower_bound: bool
    workers: int  # processes per instance when that rate was measured
    p50_ms: float
    p95_ms: float
    latency_source: str
    rss_mb: float  # peak resident memory of the instance (all its processes)
    read_share: float | None  # reads / all requests in the latency run
    notes: list[str] = field(default_factory=list)


def load_reports(paths: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    """Read each report; a missing file or bad JSON is a ``CapacityInputError``."""
    out = []
    for path in paths:
        try:
            data = json.loads(path.read_text())
        except OSError as exc:
            raise CapacityInputError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
        except json.JSONDecodeError as exc:
            raise CapacityInputError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from exc
        if not isinstance(data, dict):
            raise CapacityInputError(f"{path}: not a harness report (a JSON object is expected)")
        out.append((path.name, data))
    return out


def _number(name: str, data: Any, *keys: str) -> float:
    """``data[k1][k2]...`` as a positive number, or an error naming the missing field."""
    here = data
    for key in keys:
        if not isinstance(here, dict) or key not in here:
            raise CapacityInputError(f"{name}: missing field {'.'.join(keys)}")
        here = here[key]
    if isinstance(here, bool) or not isinstance(here, int | float) or here <= 0:
        raise CapacityInputError(f"{name}: field {'.'.join(keys)} must be a positive number, not {here!r}")
    return float(here)


def _is_stress(report: dict[str, Any]) -> bool:
    return isinstance(report.get("steps"), list) or "knee_rps" in (report.get("extra") or {})


def _workers(report: dict[str, Any]) -> int:
    workers = (report.get("rig") or {}).get("workers", 1)
    return workers if isinstance(workers, int) and workers > 0 else 1


def _capacity(reports: list[tuple[str, dict[str, Any]]], notes: list[str]) -> tuple[float, str, bool, int]:
    best: tuple[float, str, bool, int] | None = None
    for name, report in reports:
        if not _is_stress(report):
            continue
        knee = (report.get("extra") or {}).get("knee_rps")
        steps = [s for s in report.get("steps") or [] if isinstance(s, dict)]
        if knee is None:
            first = steps[0].get("rate") if steps else "?"
            notes.append(f"{name}: no knee (its first step, {first} req/s, already failed the SLOs)")
            continue
        rate = _number(name, report, "extra", "knee_rps")
        # Every step passed: the instance may carry more than the last step asked of it.
        lower = bool(steps) and steps[-1].get("passed") is True
        if best is None or rate > best[0]:
            best = (rate, f"{name}: stress knee", lower, _workers(report))
    if best is not None:
        return best
    passing = [(n, r) for n, r in reports if not _is_stress(r) and r.get("verdict") == "PASS"]
    if passing:
        name, report = max(passing, key=lambda nr: _number(nr[0], nr[1], "overall", "goodput"))
        rate = _number(name, report, "overall", "goodput")
        notes.append(
            f"no stress knee: {name} passed at {rate:g} req/s, so the plan uses that as a lower bound"
        )
        return rate, f"{name}: passing run (lower bound)", True, _workers(report)
    raise CapacityInputError(
        "no per-instance capacity: no report has a stress knee (extra.knee_rps) and none passed its "
        "thresholds; run `mercenary-perf rig --scenario stress` and pass its JSON report"
    )


def _latency(
    reports: list[tuple[str, dict[str, Any]]], notes: list[str]
) -> tuple[float, float, str, float | None]:
    runs = [(n, r) for n, r in reports if not _is_stress(r)]
    reliable = [(n, r) for n, r in runs if r.get("verdict") != UNRELIABLE]
    if runs and not reliable:
        notes.append(
            "every latency run was UNRELIABLE (generator saturated): its latencies are the generator's too"
        )
    if reliable or runs:
        name, report = (reliable or runs)[0]
        share = None
        read = (report.get("groups") or {}).get("read")
        if isinstance(read, dict) and read.get("count"):
            share = float(read["count"]) / _number(name, report, "overall", "count")
        p50 = _number(name, report, "overall", "latency_ms", "p50")
        return p50, _number(name, report, "overall", "latency_ms", "p95"), f"{name}: overall", share
    # Only stress runs: take the latencies of the step at the knee, the heaviest load within SLO.
    for name, report in reports:
        knee = (report.get("extra") or {}).get("knee_rps")
        for step in report.get("steps") or []:
            if isinstance(step, dict) and knee is not None and step.get("rate") == knee:
                p50 = _number(name, step, "overall", "latency_ms", "p50")
                p95 = _number(name, step, "overall", "latency_ms", "p95")
                return p50, p95, f"{name}: the step at the knee ({knee:g} req/s)", None
    raise CapacityInputError(
        "no latencies: give a run below the knee (e.g. `mixed`) or a stress report whose knee step "
        "has overall.latency_ms"
    )


def _rss(reports: list[tuple[str, dict[str, Any]]]) -> float | None:
    samples = [
        float(s["rss_mb"])
        for _, report in reports
        for s in report.get("rss") or []
        if isinstance(s, dict) and isinstance(s.get("rss_mb"), int | float)
    ]
    return max(samples) if samples else None


def read_figures(reports: list[tuple[str, dict[str, Any]]], rss_mb: float | None = None) -> Figures:
    """Pick each figure from the reports; ``rss_mb`` replaces a memory figure none of them has."""
    if not reports:
        raise CapacityInputError("no reports given")
    notes: list[str] = []
    rate, rate_source, lower, workers = _capacity(reports, notes)
    p50, p95, lat_source, share = _latency(reports, notes)
    measured_rss = rss_mb if rss_mb is not None else _rss(reports)
    if measured_rss is None:
        raise CapacityInputError(
            "no memory figure: no report has rss samples (run through the rig, or `run --server-pid`), "
            "or give --rss-mb"
        )
    return Figures(rate, rate_source, lower, workers, p50, p95, lat_source, measured_rss, share, notes)
