"""Arrival shapes, outcome classes, summaries and threshold verdicts (no timing involved)."""

from __future__ import annotations

import itertools

import pytest

import mercenary_perf.shapes as shapes
from mercenary_perf.slo import Threshold, error_rate, evaluate, p95
from mercenary_perf.stats import Recorder, Series, classify


def test_constant_shape_spaces_arrivals_evenly() -> None:
    times = list(shapes.constant(10, 2).times())
    assert len(times) == 20
    assert times[0] == pytest.approx(0.1)
    assert all(b - a == pytest.approx(0.1) for a, b in itertools.pairwise(times))


def test_ramp_accelerates_and_counts_the_integral() -> None:
    times = list(shapes.ramp(0, 100, 10).times())
    assert len(times) == 500
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[0] > gaps[-1] * 5
    assert times[-1] <= 10.0 + 1e-9


def test_spike_and_steps_and_burst() -> None:
    sp = shapes.spike(10, 100, 2, 1, 2)
    assert sp.peak_rps == 100
    assert sp.duration_s == 5
    assert len(list(sp.times())) == 140
    st = shapes.steps([5, 10], 2)
    assert len(list(st.times())) == 30
    burst = list(shapes.burst(20).times())
    assert len(burst) == 20
    assert max(burst) <= 0.001 + 1e-9


def test_classify_separates_errors_from_expected_4xx() -> None:
    assert classify(200) == "ok"
    assert classify(302) == "ok"
    assert classify(404) == "client"
    assert classify(503) == "server"
    assert classify(None, "timeout") == "timeout"
    assert classify(None, "connection") == "connection"


def test_series_summary_and_missing_flag() -> None:
    s = Series()
    for ms in range(1, 101):
        s.record(ms * 1000, "ok", 200)
    summary = s.summary(10)
    assert summary["count"] == 100
    assert summary["rate"] == 10
    assert summary["latency_ms"]["p95"] == pytest.approx(95, rel=0.01)
    assert summary["missing"] is False
    gone = Series()
    gone.record(1000, "client", 404)
    assert gone.summary(1)["missing"] is True


def test_recorder_folds_seconds_and_keeps_counts() -> None:
    r = Recorder()
    for i in range(30):
        r.record("GET /", i / 10, 2000, 200 if i % 10 else 500)
    r.fold(2)
    r.record("GET /", 0.5, 1_000_000, 200)  # arrives after its second was folded
    rows = r.timeseries()
    assert [row["t"] for row in rows] == [0, 1, 2]
    assert rows[0]["count"] == 11
    assert rows[0]["errors"] == 1
    assert rows[0]["max"] == 1000.0
    assert r.overall.errors == 3


def test_evaluate_passes_fails_and_never_passes_without_data() -> None:
    measured = {
        "overall": Series().summary(1) | {"count": 10, "latency_ms": {"p95": 120.0}, "error_rate": 0.0},
        "endpoints": {"GET /gone": {"count": 5, "missing": True}},
        "groups": {},
        "flows": {},
        "extra": {"knee_rps": 1500.0},
    }
    rows = evaluate(
        [
            p95(200, "SLO-1"),
            p95(100, "SLO-1"),
            error_rate(0.001, "SLO-3"),
            p95(200, "SLO-1", "GET /gone"),
            p95(200, "SLO-1", "group:read"),
            Threshold("SLO-13", "knee_rps", ">=", 2000, "extra"),
        ],
        measured,
    )
    assert [r["passed"] for r in rows] == [True, False, True, False, False, False]
    assert rows[3]["note"].startswith("endpoint missing")
    assert rows[4]["note"] == "no requests"
    assert rows[5]["value"] == 1500.0


def test_goodput_counts_only_answers_without_errors() -> None:
    from mercenary_perf.slo import Threshold, evaluate
    from mercenary_perf.stats import Recorder

    recorder = Recorder()
    for i in range(100):
        recorder.record("GET /x", 0, 1_000, status=200 if i < 80 else 503)
    summary = recorder.overall.summary(10.0)
    assert summary["rate"] == 10.0 and summary["goodput"] == 8.0
    rows = evaluate([Threshold("SLO-4", "goodput", ">=", 9, unit="req/s")], {"overall": summary})
    assert rows[0]["passed"] is False
