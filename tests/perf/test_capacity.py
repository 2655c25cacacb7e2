"""The capacity planner (PERF-4): its arithmetic on hand-written reports, its edge cases, its CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mercenary_perf.cli import main

HERE = Path(__file__).parent
REPORTS = HERE / "capacity_reports"
FIGURES = HERE.parents[1] / "docs" / "figures" / "cache-ab"


def plan_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["capacity", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def r(name: str) -> str:
    return str(REPORTS / name)


def test_the_arithmetic_of_a_stress_knee_and_a_mixed_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, plan = plan_of(capsys, r("stress.json"), r("mixed.json"), "--peak", "1000")
    assert code == 0
    assert plan["verdict"] == "OK"
    assert plan["design_rps"] == 2000
    m = plan["measured"]
    assert (m["instance_rps"], m["instance_rps_is_lower_bound"], m["workers"]) == (600, False, 1)
    assert (m["p50_ms"], m["p95_ms"], m["rss_mb"], m["read_share"]) == (5, 20, 120, 0.8)
    assert "mixed.json" in m["latency_source"] and "stress.json" in m["instance_rps_source"]
    # L = λW: 1,000 req/s x 5 ms and x 20 ms; the design rate is twice that.
    assert plan["concurrency"] == {
        "at_peak_p50": 5.0, "at_peak_p95": 20.0, "at_design_p50": 10.0, "at_design_p95": 40.0, "per_process": 10,
    }  # fmt: skip
    fl = plan["fleet"]
    assert (fl["instances"], fl["processes"], fl["rps_per_instance_limit"], fl["max_peak_rps"]) == (
        4,
        4,
        300,
        1200,
    )
    db = plan["database"]
    # (4 API processes + 1 job worker) x 10; below 80 % of 100 means at most 79.
    assert (db["pools"], db["direct_connections"], db["budget"], db["pgbouncer"]) == (5, 50, 79, False)
    assert (db["max_instances_direct"], db["max_peak_direct_rps"]) == (6, 1800)
    assert (db["hold_ms"], db["busy_at_design"], db["max_peak_rps"]) == (5, 10, 7900)
    assert plan["memory"] == {
        "rss_mb": 120,
        "limit_mb": 240,
        "scale_at_mb": 192,
        "fleet_mb": 960,
        "slo7_ok": True,
    }
    whens = [t["when"] for t in plan["triggers"]]
    assert "req/s per instance > 300 for 10 min" in whens
    assert "RSS > 192 MB (80 % of 240 MB)" in whens
    assert any("reads >= 80%" in w for w in whens)
    assert any(w.startswith("total rate < 900 req/s") for w in whens)
    assert any("connections in use > 79" in w for w in whens)


def test_markdown_is_the_default_output_and_out_writes_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "plan.md"
    assert main(["capacity", r("stress.json"), r("mixed.json"), "--peak", "1000", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text == out.read_text()
    assert "**Verdict: OK**" in text
    assert "**4 instance(s) x 1 worker(s) x 10 requests in flight per process**" in text
    assert "Set `DB_POOL_PROCESSES=5`" in text
    assert "PgBouncer not needed yet" in text
    assert "| add an instance | req/s per instance > 300 for 10 min |" in text


def test_past_the_direct_budget_pgbouncer_is_needed(capsys: pytest.CaptureFixture[str]) -> None:
    code, plan = plan_of(capsys, r("stress.json"), r("mixed.json"), "--peak", "2000")
    assert code == 0
    assert plan["verdict"] == "PGBOUNCER"
    db = plan["database"]
    assert (plan["fleet"]["instances"], db["direct_connections"], db["pgbouncer_max_client_conn"]) == (
        7,
        80,
        80,
    )
    assert plan["notes"] == []  # 20 busy at the design rate fit the default server pool of 20
    assert main(["capacity", r("stress.json"), r("mixed.json"), "--peak", "2000"]) == 0
    assert "**PgBouncer needed**" in capsys.readouterr().out


def test_a_peak_no_instance_count_reaches_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    # 79 connections, each held up to 5 ms, carry 15,800 req/s: a 7,900 peak with 2x headroom, no more.
    code, plan = plan_of(capsys, r("stress.json"), r("mixed.json"), "--peak", "7900")
    assert (code, plan["verdict"]) == (0, "PGBOUNCER")
    assert any("server pool (20) should be between 79" in n for n in plan["notes"])
    code, plan = plan_of(capsys, r("stress.json"), r("mixed.json"), "--peak", "8000")
    assert (code, plan["verdict"], plan["database"]["busy_at_design"]) == (1, "UNREACHABLE", 80)
    assert main(["capacity", r("stress.json"), r("mixed.json"), "--peak", "8000"]) == 1
    assert "NOT reachable" in capsys.readouterr().out
    # A measured hold time (the database's share of a request) lifts the ceiling.
    code, plan = plan_of(capsys, r("stress.json"), r("mixed.json"), "--peak", "8000", "--db-hold-ms", "0.5")
    assert (code, plan["verdict"], plan["database"]["hold_measured"]) == (0, "PGBOUNCER", True)


def test_no_knee_falls_back_to_a_passing_run_as_a_lower_bound(capsys: pytest.CaptureFixture[str]) -> None:
    code, plan = plan_of(capsys, r("stress-no-knee.json"), r("mixed.json"), "--peak", "1000")
    assert code == 0
    assert (plan["measured"]["instance_rps"], plan["measured"]["instance_rps_is_lower_bound"]) == (400, True)
    assert plan["fleet"]["instances"] == 5
    assert any("stress-no-knee.json: no knee" in n and "50.0 req/s" in n for n in plan["notes"])
    assert any("lower bound" in n for n in plan["notes"])


def test_no_knee_and_no_passing_run_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["capacity", r("stress-no-knee.json"), r("mixed-failed-no-rss.json"), "--peak", "1000"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no per-instance capacity" in captured.err and "--scenario stress" in captured.err


def test_stress_alone_uses_its_knee_step_and_its_workers(capsys: pytest.CaptureFixture[str]) -> None:
    code, plan = plan_of(capsys, r("stress-two-workers.json"), "--peak", "1000")
    assert code == 0
    m = plan["measured"]
    assert (m["p50_ms"], m["p95_ms"], m["workers"], m["read_share"]) == (4, 12, 2, None)
    assert m["instance_rps_is_lower_bound"] is True  # every step passed: the knee may lie higher
    assert "knee (1000 req/s)" in m["latency_source"]
    assert (plan["fleet"]["instances"], plan["fleet"]["processes"], plan["database"]["pools"]) == (2, 4, 5)
    assert plan["database"]["max_instances_direct"] == 3  # (7 pools - 1 job worker) // 2 workers
    assert plan["memory"]["slo7_ok"] is True  # 210 MB over two processes
    assert not any("read replica" in t["action"] for t in plan["triggers"])


def test_unreliable_runs_give_no_latencies_when_a_reliable_one_exists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, plan = plan_of(capsys, r("stress.json"), r("mixed-unreliable.json"), r("mixed.json"), "--peak", "1000")
    assert plan["measured"]["p95_ms"] == 20
    _, plan = plan_of(capsys, r("stress.json"), r("mixed-unreliable.json"), "--peak", "1000")
    assert plan["measured"]["p95_ms"] == 11000
    assert any("UNRELIABLE" in n for n in plan["notes"])


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["stress.json", "mixed-no-p95.json"], "mixed-no-p95.json: missing field overall.latency_ms.p95"),
        (["does-not-exist.json"], "does-not-exist.json: cannot read it"),
    ],
)
def test_missing_fields_and_files_are_clear_errors(
    capsys: pytest.CaptureFixture[str], files: list[str], message: str
) -> None:
    assert main(["capacity", *(r(f) for f in files), "--peak", "1000"]) == 2
    assert message in capsys.readouterr().err


def test_bad_json_and_missing_memory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["capacity", str(bad), "--peak", "1000"]) == 2
    assert "bad.json: not JSON" in capsys.readouterr().err
    array = tmp_path / "array.json"
    array.write_text("[]")
    assert main(["capacity", str(array), "--peak", "1000"]) == 2
    assert "not a harness report" in capsys.readouterr().err
    report = json.loads((REPORTS / "stress.json").read_text())
    del report["rss"]
    bare = tmp_path / "stress-no-rss.json"
    bare.write_text(json.dumps(report))
    assert main(["capacity", str(bare), "--peak", "1000"]) == 2
    err = capsys.readouterr().err
    assert "no memory figure" in err and "--rss-mb" in err
    code, plan = plan_of(capsys, str(bare), "--peak", "1000", "--rss-mb", "150")
    assert (code, plan["memory"]["limit_mb"]) == (0, 300)
    report["extra"]["knee_rps"] = "600"
    bare.write_text(json.dumps(report))
    assert main(["capacity", str(bare), "--peak", "1000", "--rss-mb", "150"]) == 2
    assert "extra.knee_rps must be a positive number" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--peak", "0"], ["--peak", "x"], ["--peak", "10", "--headroom", "0.5"],
                                  ["--peak", "10", "--job-workers", "-1"]])  # fmt: skip
def test_bad_arguments_exit_2(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["capacity", r("stress.json"), *args])
    assert exc.value.code == 2


def test_the_committed_rig_reports_plan(capsys: pytest.CaptureFixture[str]) -> None:
    """The real report schema, as the rig writes it: the stress knee and a mixed run on PostgreSQL."""
    stress, mixed = FIGURES / "stress-pg-after.json", FIGURES / "mixed400-pg-after-1.json"
    code, plan = plan_of(capsys, str(stress), str(mixed), "--peak", "1000")
    assert code == 0
    assert plan["measured"]["instance_rps"] == json.loads(stress.read_text())["extra"]["knee_rps"]
    assert plan["measured"]["p95_ms"] == json.loads(mixed.read_text())["overall"]["latency_ms"]["p95"]
    assert plan["fleet"]["instances"] * plan["fleet"]["rps_per_instance_limit"] >= 1000
    # The figures docs/performance.md quotes from these two reports.
    db = plan["database"]
    assert (plan["verdict"], plan["fleet"]["instances"], db["direct_connections"]) == ("OK", 4, 50)
    assert (db["max_instances_direct"], db["max_peak_direct_rps"], plan["memory"]["limit_mb"]) == (
        6,
        1800,
        258,
    )
    code, plan = plan_of(capsys, str(stress), str(mixed), "--peak", "2000")
    assert (plan["verdict"], plan["fleet"]["instances"], plan["database"]["direct_connections"]) == (
        "PGBOUNCER",
        7,
        80,
    )


def test_min_instances_and_notes_in_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, plan = plan_of(capsys, r("stress.json"), r("mixed.json"), "--peak", "1000", "--min-instances", "5")
    assert (code, plan["fleet"]["instances"], plan["concurrency"]["per_process"]) == (0, 5, 8)
    assert not any(t["action"] == "remove an instance" for t in plan["triggers"])  # never below the floor
    assert main(["capacity", r("stress-no-knee.json"), r("mixed.json"), "--peak", "1000"]) == 0
    text = capsys.readouterr().out
    assert "carries 400 req/s (a lower bound)" in text
    assert "## Notes\n\n- stress-no-knee.json: no knee" in text


def test_pools_smaller_than_the_busy_connections_are_noted(capsys: pytest.CaptureFixture[str]) -> None:
    code, plan = plan_of(capsys, r("stress.json"), r("mixed.json"), "--peak", "1000", "--pool-size", "1")
    assert (code, plan["verdict"], plan["database"]["direct_connections"]) == (0, "OK", 5)
    assert any("hold 4 connections but 10.0 are busy" in n and "at least 3" in n for n in plan["notes"])
