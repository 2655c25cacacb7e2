"""``mercenary-perf audit``: the scenarios on the rig's PostgreSQL, what the database saw of them,
and ``06-performance-scalability-audit.md`` with its ``audit_artifacts/`` (PERF-5).

It runs the scenarios itself rather than reading an earlier rig run's reports: statement counts,
the slowest statements and the plans come from the database while the traffic runs, which a
report written afterwards cannot hold. The steps:

1. start the rig's data tier: PostgreSQL with ``pg_stat_statements`` and ``auto_explain``, Redis;
2. each scenario (``rig``'s ``run_one``: fresh dataset copy, pinned and capped service) between two
   ``pg_stat_statements`` snapshots: its statements, and statements per request;
3. the soak at 0.6x ``--peak`` for ``--soak-duration`` with the leak sentinel on;
4. the probe pass (``probes.py``): statements per request one request at a time, the N+1 check, and
   every statement's plan logged by ``auto_explain``;
5. the analysis (``analysis.py``, ``findings.py``) and the document (``render.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mercenary_perf.audit import analysis, sources
from mercenary_perf.audit.findings import findings, scans
from mercenary_perf.audit.probes import n_plus_one, run_probes
from mercenary_perf.audit.render import render
from mercenary_perf.audit.statements import Audited, Snapshot, delta, log_size, logged_plans, merge
from mercenary_perf.report.files import write_all
from mercenary_perf.rig.command import MEMORY_MAX, run_one
from mercenary_perf.rig.layout import DEFAULT_LAYOUT, LAYOUTS
from mercenary_perf.rig.machine import commit_facts, machine_facts
from mercenary_perf.rig.procs import log_file, pin_self, pinned, stop
from mercenary_perf.rig.service import Mercenary, postgres_dataset
from mercenary_perf.rig.services import Redis

DOCUMENT = "06-performance-scalability-audit.md"
RUN_DB = "mercenary_run"
SCENARIOS = ("read-heavy", "write-heavy", "mixed", "stress")
SOAK_SHARE = 0.6  # SLO-8: the soak runs at 0.6x the peak
TOP = 20


def _run(a: argparse.Namespace, svc: Mercenary, pg: Audited, name: str, rate: float | None,
         duration: float | None) -> tuple[dict[str, Any], Snapshot]:  # fmt: skip
    """One scenario on a fresh dataset copy; its report and the statements it cost."""
    db_url, reused = postgres_dataset(svc, pg, a.scale, a.seed)
    before = pg.snapshot(RUN_DB)
    extra = {"target_peak": a.peak}  # stress judges its knee against 2x this peak (SLO-13)
    run = argparse.Namespace(**{**vars(a), "rate": rate, "duration": duration, "scenario_extra": extra})
    report = run_one(run, "postgres", name, svc, db_url, reused, sample_url=pg.sampler_url(RUN_DB))
    return report, delta(before, pg.snapshot(RUN_DB))


def _soak(
    a: argparse.Namespace, svc: Mercenary, pg: Audited
) -> tuple[dict[str, Any], Snapshot, dict[str, Any]]:
    """The soak at 0.6x the peak with the tracemalloc sentinel reporting to the service's log."""
    log = log_file(a.state, "mercenary-serve")
    since = log.stat().st_size if log.exists() else 0
    interval = a.sentinel_s or max(5.0, a.soak_duration / 12)
    svc.env = {**svc.env, "MEMORY_SENTINEL_S": f"{interval:g}", "LOG_FORMAT": "json"}
    try:
        report, stmts = _run(a, svc, pg, "soak", SOAK_SHARE * a.peak, a.soak_duration)
    finally:
        svc.env.pop("MEMORY_SENTINEL_S")
    return report, stmts, {**analysis.sentinel(log, since), "interval_s": interval}


def _probe(a: argparse.Namespace, svc: Mercenary, pg: Audited) -> tuple[list[Any], dict[int, Any]]:
    # postgres_dataset empties Redis: the probes' first requests find the cache cold, and count
    # what a cache miss costs.
    db_url, _ = postgres_dataset(svc, pg, a.scale, a.seed)
    proc, base, _ = svc.serve(db_url, a.workers, LAYOUTS[a.layout].server_cpu)
    since = log_size(pg.jsonlog)
    pg.explain_on(True)
    try:
        probed = asyncio.run(run_probes(base, db_url, pg, RUN_DB, a.seed))
    finally:
        pg.explain_on(False)
        stop(proc)
    time.sleep(0.5)  # the logging collector writes the last plans
    return probed, logged_plans(pg.jsonlog, since)


def measure(a: argparse.Namespace) -> dict[str, Any]:
    """Every run of the audit; the raw material of the document."""
    layout = LAYOUTS[a.layout]
    a.load_pinning = pin_self(layout.load_cpu)
    a.data_pinning = pinned([], layout.data_cpu)[1]
    a.idle_connections = 0
    reports: dict[str, dict[str, Any]] = {}
    per_scenario: dict[str, dict[str, Any]] = {}
    statements: Snapshot = {}
    with contextlib.ExitStack() as stack:
        pg = Audited.start(a.state / "pg", cpu=layout.data_cpu, log=log_file(a.state, "postgres-audit"))
        stack.callback(pg.stop)
        redis = Redis.start(a.state / "redis", cpu=layout.data_cpu, log=log_file(a.state, "redis"))
        stack.callback(redis.stop)
        svc = Mercenary(a.mercenary_cmd, a.state, {"REDIS_URL": redis.url})
        runs = [(n, a.rate, a.duration) for n in a.scenario or SCENARIOS]
        for name, rate, duration in runs:
            reports[name], stmts = _run(a, svc, pg, name, rate, duration)
            merge(statements, stmts)
            per_scenario[name] = _per_request(reports[name], stmts)
        soak = None
        if a.soak_duration > 0:
            reports["soak"], stmts, soak = _soak(a, svc, pg)
            merge(statements, stmts)
            per_scenario["soak"] = _per_request(reports["soak"], stmts)
        probed, plans = _probe(a, svc, pg)
        settings = pg.settings_of("max_connections", "log_min_duration_statement", "server_version")
        statement_timeout = svc.env.get("DB_STATEMENT_TIMEOUT_MS", "800")
    return {
        "reports": reports,
        "per_scenario": per_scenario,
        "statements": statements,
        "probed": [p.row() for p in probed],
        "n_plus_one": n_plus_one(probed),
        "plans": plans,
        "soak_watch": soak,
        "pg_settings": settings,
        "statement_timeout": statement_timeout,
    }


def _per_request(report: dict[str, Any], stmts: Snapshot) -> dict[str, Any]:
    requests = int(report["overall"]["count"])
    calls = sum(s.calls for s in stmts.values())
    return {"requests": requests, "statements": calls, "per_request": calls / requests if requests else None}


def write(a: argparse.Namespace, m: dict[str, Any]) -> dict[str, Any]:
    """The artifacts and the document under ``--out``; the audit's figures."""
    out, art = a.out, a.out / "audit_artifacts"
    for folder in (art / "explain", art / "load"):
        folder.mkdir(parents=True, exist_ok=True)
    reports = m["reports"]
    for name, report in reports.items():
        write_all(report, art / "load", f"postgres-{name}")
    ranked = sorted(m["statements"].values(), key=lambda s: -s.total_ms)
    top = [asdict(s) for s in ranked[:TOP]]
    slowest = sorted(m["statements"].values(), key=lambda s: -s.mean_ms)[:50]
    (art / "pg_stat_top.sql.txt").write_text(
        "-- SELECT * FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 50\n"
        "-- (summed over the scenarios)\n"
        + "".join(
            f"\n-- #{i} queryid {s.queryid}: calls {s.calls}, mean {s.mean_ms:.3f} ms, "
            f"max {s.max_ms:.3f} ms, total {s.total_ms:.1f} ms, rows {s.rows}, "
            f"blocks hit {s.blocks_hit} read {s.blocks_read}\n{s.query};\n"
            for i, s in enumerate(slowest, 1)
        )
    )
    explained = []
    for rank, s in enumerate(top, 1):
        plan = m["plans"].get(s["queryid"])
        if plan is not None:
            (art / "explain" / f"{rank:02d}-{s['queryid']}.json").write_text(
                json.dumps([plan], indent=2) + "\n"
            )
            explained.append(rank)
    calls = sources.call_sites(a.repo)
    suspects = sources.loop_suspects(a.repo)
    (art / "sql_calls.txt").write_text("\n".join(calls) + "\n")
    (art / "n_plus_one_suspects.txt").write_text("\n".join(suspects) + "\n")
    (art / "n_plus_one.json").write_text(json.dumps(m["n_plus_one"], indent=2) + "\n")
    _probe_csv(m["probed"], art / "statements_per_request.csv")
    analysis.write_traffic_csv(reports, art / "traffic_profile.csv")
    analysis.write_rss_csv(reports.get("soak"), art / "soak_rss.csv")
    max_conn = int(m["pg_settings"].get("max_connections", "100"))
    plan = analysis.capacity(reports, a.peak, max_conn, art)
    found = findings(reports, top, m["plans"], m["n_plus_one"], m["probed"], plan)
    (art / "findings.json").write_text(json.dumps([asdict(f) for f in found], indent=2) + "\n")
    doc = _figures(a, m, top, explained, len(calls), len(suspects), plan)
    (out / DOCUMENT).write_text(render(doc, found))
    return doc


def _probe_csv(rows: list[dict[str, Any]], path: Path) -> None:
    import csv

    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["endpoint", "method", "path", "limit", "rows", "statuses", "statements", "response_kb"])
        for r in rows:
            w.writerow([r["endpoint"], r["method"], r["path"], r["page"] or "", r["items"] or "",
                        "/".join(map(str, r["statuses"])), "/".join(map(str, r["statements"])),
                        r["response_kb"]])  # fmt: skip


def _figures(a: argparse.Namespace, m: dict[str, Any], top: list[dict[str, Any]], explained: list[int],
             sql_sites: int, suspects: int, plan: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    reports = m["reports"]
    any_report = next(iter(reports.values()))
    all_scans = [(s["queryid"], x) for s in top for x in scans(m["plans"].get(s["queryid"]) or {})]
    scan_summary = ", ".join(f"{x['relation']} ({x['rows_read']} rows)" for _, x in all_scans) or "none"
    caches = [(n, analysis.hit_ratio(r)) for n, r in reports.items()]
    cache_line = (
        "Cache hit ratio by scenario (the service's own counters, the run's second half): "
        + ", ".join(f"{n} {r:.1%}" if isinstance(r, float) else f"{n} n/a" for n, r in caches)
    )
    soak = reports.get("soak")
    watch = m["soak_watch"] or {"verdict": "no soak", "top_growth": []}
    lines = analysis.capacity_lines(plan)
    traffic = analysis.traffic(reports, m["probed"], a.peak)
    if "concurrency" in plan:
        traffic["concurrency_target"] = plan["concurrency"]["at_peak_p95"]
    else:
        traffic["concurrency_target"] = None
    return {
        "machine": {**commit_facts(a.repo), **machine_facts()},
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "rig": any_report["rig"],
        "postgres_version": m["pg_settings"].get("server_version", "?"),
        "scale": a.scale,
        "seed": a.seed,
        "dataset_counts": ", ".join(f"{k} {v}" for k, v in (any_report.get("dataset") or {}).items()),
        "peak": a.peak,
        "command": a.command_line,
        "reports": reports,
        "per_scenario": m["per_scenario"],
        "probed": m["probed"],
        "n_plus_one": m["n_plus_one"],
        "plans": m["plans"],
        "top": top,
        "explained": explained,
        "sql_sites": sql_sites,
        "suspects": suspects,
        "scan_summary": scan_summary,
        "cache_line": cache_line,
        "soak": {"rate": SOAK_SHARE * a.peak, "duration_s": a.soak_duration},
        "soak_line": analysis.soak_line(soak, watch),
        "capacity_summary": lines["summary"],
        "capacity_db_line": lines["db"],
        "capacity_triggers": lines["triggers"],
        "traffic": traffic,
        "pg_settings": m["pg_settings"],
        "statement_timeout": m["statement_timeout"],
    }


def cmd_audit(a: argparse.Namespace) -> int:
    """Measure, write; exit 0 when no Critical finding, 1 otherwise."""
    a.out.mkdir(parents=True, exist_ok=True)
    a.state.mkdir(parents=True, exist_ok=True)
    a.command_line = "mercenary-perf audit " + " ".join(a.argv)
    cpus = os.sched_getaffinity(0)
    try:
        doc = write(a, measure(a))
    finally:
        os.sched_setaffinity(0, cpus)  # the rig pinned this process to the load core
    found = json.loads((a.out / "audit_artifacts" / "findings.json").read_text())
    counts = {s: sum(1 for f in found if f["severity"] == s) for s in ("Critical", "High", "Medium", "Low")}
    print(f"{a.out / DOCUMENT}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"soak: {doc['soak_line']}")
    return 1 if counts["Critical"] else 0


def add_audit_parser(sub: Any) -> None:
    """Register ``audit`` on the ``mercenary-perf`` subcommands."""
    sp = sub.add_parser("audit", help="the performance audit (002) on the rig's PostgreSQL")
    sp.add_argument("--peak", type=float, required=True, help="target peak, req/s (the soak runs at 0.6x)")
    sp.add_argument(
        "--scenario", action="append", help=f"scenarios before the soak (default {', '.join(SCENARIOS)})"
    )
    sp.add_argument(
        "--soak-duration", type=float, default=1800.0, help="seconds (0: no soak); SLO-8 asks 2 h"
    )
    sp.add_argument("--sentinel-s", type=float, help="leak sentinel interval (default duration / 12, >= 5 s)")
    sp.add_argument("--scale", choices=("demo", "full"), default="full")
    sp.add_argument("--seed", type=int, default=1)
    sp.add_argument("--rate", type=float, help="every scenario's rate (default: each its own)")
    sp.add_argument("--duration", type=float, help="every scenario's duration, s (default: each its own)")
    sp.add_argument("--workers", type=int, default=1)
    sp.add_argument("--layout", choices=list(LAYOUTS), default=DEFAULT_LAYOUT)
    sp.add_argument("--memory-max", type=int, default=MEMORY_MAX, help="bytes (default 1 GiB)")
    sp.add_argument(
        "--mercenary-cmd", default="mercenary", help="how to invoke the service's console command"
    )
    sp.add_argument("--state", type=Path, default=Path("var/rig"))
    sp.add_argument("--out", type=Path, default=Path("var/audit"))
    sp.add_argument(
        "--repo", type=Path, default=Path("."), help="the checkout audited (commit, SQL call sites)"
    )
    sp.set_defaults(func=cmd_audit)
