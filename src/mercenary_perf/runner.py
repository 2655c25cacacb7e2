"""Run a scenario end to end: sample data, set up, drive the load, judge the thresholds."""

from __future__ import annotations

import random
import statistics
from dataclasses import replace
from typing import Any

import aiohttp

from mercenary_perf.data import load_dataset
from mercenary_perf.generator import Flow, RunResult, run_open_loop
from mercenary_perf.idle_run import IdleRun
from mercenary_perf.report.schema import build_report
from mercenary_perf.rss import RssSampler, slope_per_hour
from mercenary_perf.scenarios import soak, stress
from mercenary_perf.scenarios.base import Context, Options, Scenario
from mercenary_perf.selfcheck import RELIABLE_FRACTION, cached_ceiling
from mercenary_perf.slo import evaluate
from mercenary_perf.stats import Recorder, Series


def measure(recorder: Recorder, duration_s: float, groups: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Summaries of a run: overall, per endpoint, per group (merged histograms) and per flow."""
    merged: dict[str, Any] = {}
    for group, names in groups.items():
        series = Series()
        for name in names:
            ep = recorder.endpoints.get(name)
            if ep is None or ep.summary(duration_s)["missing"]:
                continue  # an endpoint that does not exist yet is reported, not blended in
            series.hist.add(ep.hist)
            series.outcomes.update(ep.outcomes)
            series.statuses.update(ep.statuses)
        merged[group] = series.summary(duration_s)
    return {
        "overall": recorder.overall.summary(duration_s),
        "endpoints": {k: v.summary(duration_s) for k, v in sorted(recorder.endpoints.items())},
        "groups": merged,
        "flows": {k: v.summary(duration_s) for k, v in sorted(recorder.flows.items())},
        "extra": {},
    }


async def _drive(sc: Scenario, opts: Options, flow: Flow, rate: float, duration: float) -> RunResult:
    return await run_open_loop(
        opts.base_url,
        sc.shape(rate, duration),
        flow,
        timeout_s=opts.timeout_s,
        connections=opts.connections,
        headers=opts.headers,
    )


def _creep_ratio(timeseries: list[dict[str, Any]]) -> float | None:
    if len(timeseries) < 9:
        return None
    third = len(timeseries) // 3
    first = statistics.median(r["p95"] for r in timeseries[:third])
    last = statistics.median(r["p95"] for r in timeseries[-third:])
    return round(float(last + 5.0) / float(first + 5.0), 3)


async def _run_soak(sc: Scenario, opts: Options, flow: Flow, rate: float, duration: float) -> tuple[Any, ...]:
    sampler = RssSampler(opts.server_pid, soak.RSS_EVERY_S) if opts.server_pid is not None else None
    try:
        result = await _drive(sc, opts, flow, rate, duration)
    finally:
        samples = sampler.finish() if sampler is not None else []
    measured = measure(result.recorder, duration, sc.groups)
    later = samples[len(samples) // 3 :]
    slope = slope_per_hour(later)
    measured["extra"] = {
        "rss_max_mb": max((s["rss_mb"] for s in samples), default=None),
        "rss_growth_mb_per_h": None if slope is None else round(slope, 2),
        "p95_creep_ratio": _creep_ratio(result.recorder.timeseries()),
    }
    return result, measured, samples


async def _run_stress(sc: Scenario, opts: Options, flow: Flow, rate: float, step_s: float) -> tuple[Any, ...]:
    ceiling = cached_ceiling()
    limit = float(ceiling["ceiling_rps"]) * RELIABLE_FRACTION if ceiling else None
    target = float(opts.extra.get("target_peak", stress.TARGET_PEAK))
    steps: list[dict[str, Any]] = []
    knee: float | None = None
    last: RunResult | None = None
    for factor in stress.FACTORS:
        step_rate = rate * factor
        if limit is not None and step_rate > limit:
            steps.append({"rate": step_rate, "skipped": "beyond the generator's reliable range"})
            break
        last = await _drive(sc, opts, flow, step_rate, step_s)
        m = measure(last.recorder, step_s, sc.groups)
        verdicts = evaluate(list(stress.STEP_THRESHOLDS), m)
        passed = all(v["passed"] for v in verdicts)
        steps.append(
            {"rate": step_rate, "passed": passed, "overall": _brief(m["overall"]), "thresholds": verdicts}
        )
        if not passed:
            break
        knee = step_rate
    assert last is not None
    measured = measure(last.recorder, step_s, sc.groups)
    measured["extra"] = {"knee_rps": knee, "target_peak_rps": target}
    return last, measured, steps


def _brief(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: summary[k] for k in ("count", "rate", "error_rate", "latency_ms")}


async def run_scenario(sc: Scenario, opts: Options, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run ``sc`` and return its report (see ``report.schema``); never raises on server errors."""
    rate = float(opts.rate if opts.rate is not None else sc.rate)
    duration = float(opts.duration_s if opts.duration_s is not None else sc.duration_s)
    idle = None
    if opts.idle_connections:  # checks this machine's limits before anything else
        idle = IdleRun(
            opts.base_url,
            opts.idle_connections,
            load_connections=opts.connections,
            server_pid=opts.server_pid,
            timeout_s=opts.timeout_s,
        )
    dataset = await load_dataset(opts.db_url)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(opts.base_url, timeout=timeout) as http:
        ctx = Context(opts, dataset, http, random.Random(opts.seed))
        flow = await sc.setup(ctx)
    extra_sections: dict[str, Any] = {}
    if idle is not None:
        await idle.open()
    if sc.kind == "stress":
        result, measured, steps = await _run_stress(sc, opts, flow, rate, duration)
        extra_sections["steps"] = steps
        peak = rate * stress.FACTORS[len(steps) - 1]
        judged_duration = duration
    elif sc.kind == "soak":
        result, measured, samples = await _run_soak(sc, opts, flow, rate, duration)
        extra_sections["rss"] = samples
        peak, judged_duration = rate, duration
    else:
        result = await _drive(sc, opts, flow, rate, duration)
        judged_duration = result.shape.duration_s or duration
        measured = measure(result.recorder, max(judged_duration, 1e-3), sc.groups)
        peak = result.shape.peak_rps
    thresholds = list(sc.thresholds)
    if sc.kind == "stress":  # SLO-13: the knee must be at least twice the target peak
        target = float(measured["extra"]["target_peak_rps"])
        thresholds = [replace(t, limit=2 * target) if t.metric == "knee_rps" else t for t in thresholds]
    if idle is not None:
        await idle.finish()
        measured["extra"].update(idle.extra())
        thresholds += idle.thresholds()
        extra_sections["idle"] = idle.section()
    verdicts = evaluate(thresholds, measured)
    return build_report(
        scenario=sc,
        options=opts,
        rate=rate,
        duration_s=judged_duration,
        result=result,
        measured=measured,
        verdicts=verdicts,
        peak_rps=peak,
        dataset=dataset.counts(),
        notes=ctx.notes,
        sections={**extra_sections, **(context or {})},
    )
