"""``mercenary-perf audit`` (PERF-5): a CI-sized audit against the real service on the rig's
PostgreSQL (demo dataset, seconds of load, a short soak with the leak sentinel on), and the
pieces that turn what PostgreSQL saw into findings."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mercenary_perf.audit.analysis import capacity, sentinel, short_site
from mercenary_perf.audit.findings import findings, scans
from mercenary_perf.audit.probes import Probe, Probed, n_plus_one
from mercenary_perf.audit.statements import Statement, delta, logged_plans, merge
from mercenary_perf.cli import main

MERCENARY = shlex.quote(str(Path(sys.executable).parent / "mercenary"))
REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"<(fill|count|name|date|your_name|project_root)>|PERF-XXX")


@pytest.fixture
def _restore_affinity() -> Iterator[None]:
    cpus = os.sched_getaffinity(0)
    yield
    os.sched_setaffinity(0, cpus)


@pytest.fixture
def state() -> Iterator[Path]:
    """The rig's state folder, outside pytest's private one: PostgreSQL runs as its own user under
    root, and every parent of its cluster must be reachable by that user."""
    folder = Path(tempfile.mkdtemp(prefix="mercenary-audit-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.timeout(600)  # two services seeded, started and stopped, a soak and the probe pass
@pytest.mark.usefixtures("_restore_affinity")
def test_a_ci_sized_audit_fills_every_slot_from_measurements(tmp_path: Path, state: Path) -> None:
    out = tmp_path / "audit"
    args = ["audit", "--peak", "20", "--scale", "demo", "--scenario", "read-heavy", "--rate", "10",
            "--duration", "3", "--soak-duration", "8", "--sentinel-s", "2", "--mercenary-cmd", MERCENARY,
            "--state", str(state), "--out", str(out), "--repo", str(REPO)]  # fmt: skip
    assert main(args) in (0, 1)  # 1: a Critical finding, which a tiny run may well have
    doc = (out / "06-performance-scalability-audit.md").read_text()
    assert not PLACEHOLDER.search(doc), PLACEHOLDER.search(doc)
    for heading in ("## 0) Objectives", "### 1.1 Traffic Profile", "### 2.1 Query Health & N+1",
                    "## 5) Capacity Planning", "## 12) Findings Summary", "## 13) Sign-off"):  # fmt: skip
        assert heading in doc
    assert re.search(r"\| Peak RPS \(read\) \| [\d.]+ \| [\d.]+ \|", doc)
    assert re.search(r"\*\*Commit SHA\*\*: `[0-9a-f]{40}`", doc)
    art = out / "audit_artifacts"

    # The traffic profile: every endpoint of every run, with its rate and latency.
    rows = list(csv.DictReader((art / "traffic_profile.csv").read_text().splitlines()))
    assert {r["scenario"] for r in rows} == {"read-heavy", "soak"}
    assert all(float(r["rps"]) > 0 and float(r["p95_ms"]) > 0 for r in rows)

    # Statements per request, counted by PostgreSQL, one request at a time; the N+1 check.
    probes = list(csv.DictReader((art / "statements_per_request.csv").read_text().splitlines()))
    by_endpoint = {p["endpoint"]: p for p in probes}
    first = int(by_endpoint["GET /api/v1/users/me"]["statements"].split("/")[0])
    assert first >= 1  # a cold cache reads the user
    writes = int(by_endpoint["POST /api/v1/projects"]["statements"])
    assert writes >= 3  # a project, its skills, the idempotency key at least
    checked = json.loads((art / "n_plus_one.json").read_text())
    assert {c["endpoint"] for c in checked} >= {"GET /api/v1/projects", "GET /api/v1/projects?include"}
    assert all(c["large_page"]["statements"] >= 1 for c in checked)

    # The slowest statements and the plans of the top ones, as EXPLAIN (ANALYZE, BUFFERS) shows them.
    top = (art / "pg_stat_top.sql.txt").read_text()
    assert "queryid" in top and "calls" in top
    assert "random()" not in top  # the generator's sampling (its own role) is not the service's cost
    plans = sorted((art / "explain").glob("*.json"))
    assert plans
    plan = json.loads(plans[0].read_text())[0]
    assert "Actual Total Time" in json.dumps(plan["Plan"]) and "Shared Hit Blocks" in json.dumps(plan["Plan"])
    assert "Query Text" in plan

    # SQL call sites from the source, the load and soak reports, the capacity plan, the findings.
    assert "src/mercenary/" in (art / "sql_calls.txt").read_text()
    assert (art / "n_plus_one_suspects.txt").exists()
    soak = json.loads((art / "load" / "postgres-soak.json").read_text())
    assert soak["requested"]["rate"] == pytest.approx(12.0)  # 0.6 x the peak
    watched = re.search(
        r"leak sentinel \(tracemalloc\): (traced [\d.]+ -> [\d.]+ MiB over|(\d+) sentinel)", doc
    )
    assert watched and watched.group(2) != "0", "the sentinel did not report during the soak"
    assert (art / "capacity_plan.md").read_text().startswith("# Capacity plan")
    found = json.loads((art / "findings.json").read_text())
    assert all(f["evidence"] and f["artifact"] and f["id"].startswith("PERF-") for f in found)
    for severity in ("Critical", "High", "Medium", "Low"):
        count = sum(1 for f in found if f["severity"] == severity)
        assert f"- **{severity}:** `{count}`" in doc
    assert "/tmp/" not in doc.split("Command:")[0]  # no machine path before the command line


def _statement(qid: int, calls: int, total: float) -> Statement:
    return Statement(qid, calls, total, total / calls, total, calls, 1, 0, f"SELECT {qid}")


def test_statement_deltas_and_merges() -> None:
    before = {1: _statement(1, 10, 5.0), 2: _statement(2, 3, 1.0)}
    after = {1: _statement(1, 14, 9.0), 2: _statement(2, 3, 1.0), 3: _statement(3, 2, 4.0)}
    gained = delta(before, after)
    assert sorted(gained) == [1, 3]  # 2 did not run in between
    assert gained[1].calls == 4 and gained[1].total_ms == 4.0 and gained[1].mean_ms == 1.0
    total = dict(gained)
    merge(total, {1: _statement(1, 6, 2.0)})
    assert total[1].calls == 10 and total[1].total_ms == 6.0 and total[1].mean_ms == 0.6


def test_plans_are_read_from_the_json_log(tmp_path: Path) -> None:
    log = tmp_path / "postgresql.json"
    plan = {"Query Text": "SELECT 1", "Plan": {"Node Type": "Result"}}
    lines = [
        {"message": "connection received", "query_id": 0},
        {"message": "duration: 0.042 ms  plan:\n" + json.dumps(plan), "query_id": 77},
        {"message": "duration: 1.5 ms  statement: SELECT 1", "query_id": 78},
    ]
    log.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    plans = logged_plans(log)
    assert list(plans) == [77]
    assert plans[77]["Execution Time"] == 0.042 and plans[77]["Plan"]["Node Type"] == "Result"
    assert logged_plans(tmp_path / "missing.json") == {}


def test_sequential_scans_and_n_plus_one_become_findings() -> None:
    plan = {"Plan": {"Node Type": "Nested Loop", "Plans": [
        {"Node Type": "Seq Scan", "Relation Name": "projects", "Actual Rows": 10, "Actual Loops": 1,
         "Rows Removed by Filter": 4990, "Filter": "(status = 'open')"},
        {"Node Type": "Seq Scan", "Relation Name": "skills", "Actual Rows": 30, "Actual Loops": 2},
    ]}}  # fmt: skip
    assert {s["relation"]: s["rows_read"] for s in scans(plan)} == {"projects": 5000, "skills": 60}
    page = {5: [6, 6, 6], 50: [51, 51, 51]}  # no cache: every repeat costs the same
    probed = [
        Probed(Probe("GET /x", "GET", "/x", None, page=size), [200] * 3, calls, [100] * 3, size)
        for size, calls in page.items()
    ]
    checked = n_plus_one(probed)
    assert checked[0]["n_plus_one"] and checked[0]["extra_statements"] == 45
    top = [{"queryid": 9, "query": "SELECT * FROM projects", "calls": 3, "mean_ms": 150.0,
            "max_ms": 900.0, "total_ms": 450.0}]  # fmt: skip
    thresholds: list[dict[str, object]] = [
        {"requirement": "SLO-8", "metric": "rss_growth_mb_per_h", "passed": False, "value": 55.0,
         "op": "<", "limit": 20, "scope": "extra"},
        {"requirement": "SLO-8", "metric": "p95_creep_ratio", "passed": False, "value": None,
         "op": "<", "limit": 1.25, "scope": "extra", "note": "no data"},
    ]  # fmt: skip
    report: dict[str, Any] = {"thresholds": thresholds, "overall": {"error_rate": 0.05}, "verdict": "FAIL",
                              "duration_s": 3600, "caches": {"hit_ratio": 0.5, "second_half": {"hit_ratio": 0.4}}}  # fmt: skip
    goodput = {
        "requirement": "SLO-4",
        "metric": "goodput",
        "passed": False,
        "value": 20.0,
        "op": ">=",
        "limit": 990,
    }
    short = {
        **report,
        "duration_s": 30,
        "caches": {},
        "requested": {"rate": 20},
        "thresholds": [*thresholds, goodput],
    }
    lagging = {**report, "verdict": "UNRELIABLE", "generator": {"note": "lagging"}}
    capacity = {"verdict": "UNREACHABLE", "database": {"busy_at_design": 300.0, "budget": 79}}
    runs = {"mixed": report, "soak": short, "stress": lagging}
    found = findings(runs, top, {9: plan}, checked, [r.row() for r in probed], capacity)
    titles = {f.title: f.severity for f in found}
    assert titles["N+1 on GET /x"] == "Critical"
    assert titles["Sequential scan of projects in top statement #1"] == "Critical"
    assert titles["Sequential scans of the small table skills"] == "Low"
    assert titles["Slow statement #1"] == "High"
    assert titles["mixed: SLO-8 rss_growth_mb_per_h failed"] == "Critical"
    assert titles["mixed: p95_creep_ratio not judged"] == "Low"  # no figure
    assert titles["soak: rss_growth_mb_per_h not judged"] == "Low"  # 30 s show warm-up, not a trend
    assert titles["soak: goodput not judged at 20 req/s"] == "Low"  # 990 req/s was never asked for
    assert titles["mixed: 5.00% errors"] == "High"
    assert titles["mixed: cache hit ratio 40%"] == "Medium"  # the second half's, not the whole run's
    # A lagging generator measured itself: one finding saying so, none from its thresholds.
    assert titles["stress: generator could not hold its schedule"] == "Medium"
    assert not [t for t in titles if t.startswith("stress: SLO") or t == "stress: 5.00% errors"]
    assert titles["Database connections cap the target peak"] == "Critical"
    assert titles["51 statements per request on GET /x"] == "Medium"
    assert [f.id for f in found][:2] == ["PERF-001", "PERF-002"]
    assert [f.severity for f in found] == sorted((f.severity for f in found), key=("Critical", "High",
                                                 "Medium", "Low").index)  # fmt: skip


def test_the_sentinel_verdict_reads_the_service_log(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    site = "/opt/venv/lib/python3.11/site-packages/mercenary/cache.py:40"
    reports = [
        {"logger": "mercenary.memory", "msg": f"memory sentinel: {mib} MiB traced (peak {mib})",
         "growth": [{"site": site, "grew_kib": 10}]}
        for mib in (3.0, 10.0, 12.0, 30.0)
    ]  # fmt: skip
    log.write_text("\n".join(json.dumps(r) for r in [{"msg": "other"}, *reports]) + "\n")
    watch = sentinel(log, 0)
    assert watch["reports"] == 4 and watch["growing"] is True  # 10 -> 30 MiB after the first report
    assert watch["top_growth"][0]["site"] == "mercenary/cache.py:40"
    assert sentinel(log, log.stat().st_size)["growing"] is None  # nothing after that offset
    assert short_site("/usr/lib/python3.11/asyncio/runners.py:118") == "asyncio/runners.py:118"
    assert short_site("/home/x/src/mercenary/app.py:3") == "mercenary/app.py:3"


def test_a_lagging_stress_run_is_no_knee_for_the_plan(tmp_path: Path) -> None:
    stress = {"verdict": "UNRELIABLE", "extra": {"knee_rps": 40.0}, "steps": [{"rate": 40.0, "passed": True}]}
    result = capacity({"stress": stress}, 30.0, 200, tmp_path)
    assert "UNRELIABLE and left out" in result["error"]
    assert (tmp_path / "capacity_plan.md").read_text().startswith("# Capacity plan\n\nNot computed: ")
