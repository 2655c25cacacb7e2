"""The acceptance proof: open-loop latency carries a server stall that closed-loop hides."""

from __future__ import annotations

from mercenary_perf.closed import run_closed_loop
from mercenary_perf.generator import get_flow, run_open_loop
from mercenary_perf.shapes import constant

from .servers import stalling_server

STALL_S = 1.0
PERIOD_S = 3.0


async def test_open_loop_p99_carries_the_stall_closed_loop_hides_it() -> None:
    with stalling_server(STALL_S, PERIOD_S) as server:
        result = await run_open_loop(server.url, constant(100, 7.0), get_flow("/"), timeout_s=5)
        closed = await run_closed_loop(server.url + "/", connections=2, duration_s=6.0, timeout_s=5)

    overall = result.recorder.overall.summary(7.0)
    # Requests intended during each 1 s freeze wait for its end: ~3 % of them wait >= 0.9 s.
    assert overall["errors"] == 0
    assert overall["count"] == 700
    assert overall["latency_ms"]["p99"] >= 900
    assert overall["latency_ms"]["max"] >= 950

    closed_summary = closed.summary(6.0)
    # The closed loop stopped sending while frozen, so the stall is a handful of samples among thousands.
    assert closed_summary["count"] > 1000
    assert closed_summary["latency_ms"]["max"] >= 900
    assert closed_summary["latency_ms"]["p99"] < 300
    assert overall["latency_ms"]["p99"] > 3 * closed_summary["latency_ms"]["p99"]
