"""The open-loop generator against small loopback servers: counts, outcome classes, flows."""

from __future__ import annotations

from mercenary_perf.generator import Session, get_flow, run_open_loop
from mercenary_perf.rig.procs import free_port
from mercenary_perf.shapes import constant

from .servers import ServerThread


async def test_sends_exactly_the_scheduled_requests(trivial: ServerThread) -> None:
    result = await run_open_loop(trivial.url, constant(100, 1), get_flow("/"))
    s = result.recorder.overall.summary(1)
    assert s["count"] == 100
    assert s["outcomes"]["ok"] == 100
    assert result.unfinished == 0
    assert sum(row["count"] for row in result.recorder.timeseries()) == 100


async def test_outcome_classes_are_kept_apart(trivial: ServerThread) -> None:
    async def flow(s: Session) -> None:
        await s.request("fail", "GET", "/fail")
        await s.request("missing", "GET", "/missing")
        await s.request("slow", "GET", "/slow?s=2")

    result = await run_open_loop(trivial.url, constant(10, 1), flow, timeout_s=0.3)
    ep = {k: v.summary(1) for k, v in result.recorder.endpoints.items()}
    assert ep["fail"]["outcomes"]["server"] == 10
    assert ep["fail"]["error_rate"] == 1.0
    assert ep["missing"]["outcomes"]["client"] == 10
    assert ep["missing"]["error_rate"] == 0.0
    assert ep["missing"]["missing"] is True
    assert ep["slow"]["outcomes"]["timeout"] == 10
    assert ep["slow"]["latency_ms"]["min"] >= 290


async def test_connection_errors_are_counted_not_raised() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = await run_open_loop(url, constant(20, 0.5), get_flow("/"), timeout_s=1)
    assert result.recorder.overall.outcomes["connection"] == 10


async def test_flows_record_their_whole_span_and_scenario_bugs_are_counted(trivial: ServerThread) -> None:
    async def flow(s: Session) -> None:
        await s.request("a", "GET", "/slow?s=0.05")
        await s.request("b", "GET", "/slow?s=0.05")
        s.finish_flow("two-steps")
        raise KeyError("boom")

    result = await run_open_loop(trivial.url, constant(10, 0.5), flow)
    span = result.recorder.flows["two-steps"].summary(0.5)
    assert span["count"] == 5
    assert span["latency_ms"]["min"] >= 100
    assert sum(result.flow_errors.values()) == 5
