"""No PASS from an unreliable generator: its lag is reported in every run, and past its limit (or past
the reliable share of its measured ceiling) the verdict is UNRELIABLE and the exit status non-zero."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

from mercenary_perf.cli import _finish, main
from mercenary_perf.generator import Flow, Session
from mercenary_perf.report import compare, html, markdown
from mercenary_perf.report.schema import EXIT_CODES, judge, read_json, verdict_of
from mercenary_perf.runner import run_scenario
from mercenary_perf.scenarios.base import Context, Options, Scenario
from mercenary_perf.selfcheck import MAX_LAG_P99_MS
from mercenary_perf.shapes import constant
from mercenary_perf.slo import error_rate

from .servers import ServerThread


def _blocking_scenario(block_s: float) -> Scenario:
    """Every arrival blocks the generator's event loop for ``block_s`` before its request."""

    async def setup(ctx: Context) -> Flow:
        async def flow(s: Session) -> None:
            time.sleep(block_s)  # a saturated generator: the schedule falls behind
            await s.request("GET /", "GET", "/")

        return flow

    return Scenario("blocking", "test", ("PERF-2",), setup, constant, 40, 1.0, (error_rate(0.01, "PERF-2"),))


async def test_a_run_whose_scheduler_lagged_is_unreliable_not_pass(trivial: ServerThread) -> None:
    report = await run_scenario(_blocking_scenario(0.03), Options(trivial.url))
    gen = report["generator"]
    assert report["thresholds_passed"] is True  # the server answered everything...
    assert gen["scheduler_lag_ms"]["p99"] > MAX_LAG_P99_MS == gen["lag_limit_ms"]
    assert gen["reliable"] is False
    assert report["verdict"] == "UNRELIABLE"  # ...but the figures are the generator's, not the server's
    assert report["passed"] is False
    assert _finish(report) == EXIT_CODES["UNRELIABLE"] == 3
    assert markdown.render(report).startswith("# blocking: UNRELIABLE")
    assert "scheduler lag p50" in markdown.render(report)
    assert 'class="unreliable"' in html.render(report)
    assert "verdict UNRELIABLE" in compare.compare(report, report)

    steady = await run_scenario(_blocking_scenario(0.0), Options(trivial.url))
    assert steady["generator"]["scheduler_lag_ms"]["p99"] <= MAX_LAG_P99_MS
    assert steady["verdict"] == "PASS"
    assert steady["passed"] is True


def test_a_rate_past_the_reliable_ceiling_is_unreliable(trivial: ServerThread, tmp_path: Path) -> None:
    state = Path(os.environ["MERCENARY_PERF_STATE"])
    state.mkdir(parents=True, exist_ok=True)
    ceiling = {"ceiling_rps": 20, "host": platform.node(), "python": platform.python_version()}
    (state / "ceiling.json").write_text(json.dumps(ceiling))
    out = tmp_path / "r.json"
    code = main(["load", trivial.url + "/", "--rate", "30", "--duration", "0.5", "--json", str(out)])
    report = read_json(out)
    assert report["generator"]["note"].startswith("UNRELIABLE: 30 req/s asked")
    assert (code, report["verdict"], report["passed"]) == (3, "UNRELIABLE", False)
    assert main(["load", trivial.url + "/", "--rate", "10", "--duration", "0.5"]) == 0  # within 70 %


def test_verdicts() -> None:
    assert judge(True, True) == "PASS"
    assert judge(True, None) == "PASS"  # no ceiling measured: the lag still guards the run
    assert judge(False, None) == "FAIL"
    assert judge(True, False) == judge(False, False) == "UNRELIABLE"
    assert verdict_of({"passed": True}) == "PASS"  # reports written before the verdict existed
    assert verdict_of({"passed": False, "verdict": "UNRELIABLE"}) == "UNRELIABLE"
