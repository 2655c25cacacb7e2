"""Findings by severity (002 §8), each from a measured figure and naming the artifact that shows it.

Critical: an N+1 on a list, a sequential scan over a large table in a top statement, memory growth
under soak, a database connection budget no fleet can meet. High: an SLO threshold failed, errors
over 1 %, a statement slower than the 800 ms statement timeout or 100 ms on average, latency creep
under soak. Medium: many statements per request, PgBouncer needed, cache hit ratio below 80 %, a
run whose generator could not hold its schedule. Low: sequential scans over small tables, soaks too
short to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mercenary_perf.audit.analysis import hit_ratio

SEVERITIES = ("Critical", "High", "Medium", "Low")
LARGE_SCAN_ROWS = 1_000  # rows a sequential scan reads before it is an unindexed hot query
MANY_STATEMENTS = 10  # statements per read request (warm) before it is worth a look
SLOW_MEAN_MS = 100.0
STATEMENT_TIMEOUT_MS = 800.0
MIN_HIT_RATIO = 0.8
MIN_CACHE_S = 60.0  # a shorter run is mostly its cache filling
MIN_SOAK_S = 600.0  # RSS and p95 over fewer minutes show warm-up, not a trend


@dataclass
class Finding:
    severity: str
    title: str
    evidence: str
    artifact: str
    fix: str
    id: str = ""


def scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every sequential scan of a plan tree, with the rows it read (returned + filtered out)."""
    found = []
    stack = [plan.get("Plan", plan)]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("Node Type") == "Seq Scan":
            loops = int(node.get("Actual Loops", 1) or 1)
            rows = (int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))) * loops
            found.append(
                {"relation": node.get("Relation Name"), "rows_read": rows, "filter": node.get("Filter")}
            )
        stack.extend(node.get("Plans", []))
    return found


def _statements(top: list[dict[str, Any]], plans: dict[int, dict[str, Any]]) -> list[Finding]:
    out = []
    small: dict[str, list[int]] = {}
    for rank, s in enumerate(top, 1):
        short = " ".join(s["query"].split())[:120]
        if s["max_ms"] >= STATEMENT_TIMEOUT_MS or s["mean_ms"] >= SLOW_MEAN_MS:
            out.append(
                Finding(
                    "High",
                    f"Slow statement #{rank}",
                    f"`{short}`: mean {s['mean_ms']:.2f} ms, max {s['max_ms']:.1f} ms "
                    f"over {s['calls']} calls",
                    "audit_artifacts/pg_stat_top.sql.txt",
                    "index its predicates or cache its result; keep it under the 800 ms statement_timeout",
                )
            )
        plan = plans.get(s["queryid"])
        for scan in scans(plan) if plan else []:
            if scan["rows_read"] < LARGE_SCAN_ROWS:
                small.setdefault(scan["relation"], []).append(rank)
                continue
            out.append(
                Finding(
                    "Critical",
                    f"Sequential scan of {scan['relation']} in top statement #{rank}",
                    f"`{short}` read {scan['rows_read']} rows of {scan['relation']} sequentially"
                    + (f" (filter {scan['filter']})" if scan["filter"] else ""),
                    f"audit_artifacts/explain/{rank:02d}-{s['queryid']}.json",
                    "add an index (tenant-scoped composite or partial) on the filtered columns",
                )
            )
    for relation, ranks in sorted(small.items()):
        out.append(
            Finding(
                "Low",
                f"Sequential scans of the small table {relation}",
                f"under {LARGE_SCAN_ROWS} rows read, in top statements "
                + ", ".join(f"#{r}" for r in sorted(set(ranks))),
                "audit_artifacts/explain/",
                "the planner's choice at this size; recheck the plans at production volume",
            )
        )
    return out


def _probes(n_plus_one: list[dict[str, Any]], probed: list[dict[str, Any]]) -> list[Finding]:
    out = []
    for row in n_plus_one:
        if row["n_plus_one"]:
            small, large = row["small_page"], row["large_page"]
            out.append(
                Finding(
                    "Critical",
                    f"N+1 on {row['endpoint']}",
                    f"{small['statements']} statements for {small['items']} rows, {large['statements']} for "
                    f"{large['items']} rows (+{row['extra_statements']})",
                    "audit_artifacts/n_plus_one.json",
                    "load the page's relations in one statement per relation (IN (...) or a join)",
                )
            )
    for p in probed:
        if p["method"] == "GET" and p["warm"] >= MANY_STATEMENTS:
            out.append(
                Finding(
                    "Medium",
                    f"{p['warm']} statements per request on {p['endpoint']}",
                    f"statements per repeat: {p['statements']} (cache warm after the first)",
                    "audit_artifacts/statements_per_request.csv",
                    "batch the reads or cache the composed answer",
                )
            )
    return out


def _runs(reports: dict[str, dict[str, Any]]) -> list[Finding]:
    out = []
    for name, report in reports.items():
        artifact = f"audit_artifacts/load/postgres-{name}.md"
        failed = [t for t in report.get("thresholds", []) if t.get("passed") is False]
        if report.get("verdict") == "UNRELIABLE":
            # The generator lagged: its figures describe the generator, not the service.
            out.append(
                Finding(
                    "Medium",
                    f"{name}: generator could not hold its schedule",
                    f"{(report.get('generator') or {}).get('note')}; its thresholds are not judged "
                    f"({len(failed)} failed)",
                    artifact,
                    "rerun within the generator's ceiling (mercenary-perf selfcheck), on a quiet machine",
                )
            )
            continue
        asked = float((report.get("requested") or {}).get("rate") or 0)
        for t in failed:
            if t.get("metric") == "goodput" and float(t.get("limit") or 0) > asked:
                out.append(
                    Finding(
                        "Low",
                        f"{name}: goodput not judged at {asked:g} req/s",
                        f"the threshold asks {t.get('op')} {t.get('limit')} req/s; the run asked {asked:g}",
                        artifact,
                        "run the scenario at its own rate for a throughput verdict",
                    )
                )
                continue
            soak_figure = t.get("metric") in ("rss_growth_mb_per_h", "p95_creep_ratio")
            short = float(report.get("duration_s") or 0) < MIN_SOAK_S
            if soak_figure and (t.get("value") is None or short):
                out.append(
                    Finding(
                        "Low",
                        f"{name}: {t.get('metric')} not judged",
                        f"the soak lasted {float(report.get('duration_s') or 0):.0f} s (measured "
                        f"{t.get('value')}); a verdict on growth needs {MIN_SOAK_S:.0f} s or more",
                        artifact,
                        "run the full soak (30 min or more)",
                    )
                )
                continue
            severity = "Critical" if t.get("metric") == "rss_growth_mb_per_h" else "High"
            out.append(
                Finding(
                    severity,
                    f"{name}: {t.get('requirement')} {t.get('metric')} failed",
                    f"measured {t.get('value')} against {t.get('op')} {t.get('limit')} "
                    f"({t.get('scope') or 'overall'})",
                    artifact,
                    "profile the slowest endpoint of this run (docs/profiling.md) and fix before release",
                )
            )
        errors = (report.get("overall") or {}).get("error_rate") or 0.0
        if errors > 0.01:
            out.append(
                Finding(
                    "High",
                    f"{name}: {errors:.2%} errors",
                    "5xx, timeouts and connection errors",
                    artifact,
                    "read the service log of the run; shed or scale before the SLO budget burns",
                )
            )
        ratio = hit_ratio(report)
        long_enough = float(report.get("duration_s") or 0) >= MIN_CACHE_S  # a run starts cold
        if isinstance(ratio, float) and ratio < MIN_HIT_RATIO and long_enough and name != "write-heavy":
            out.append(
                Finding(
                    "Medium",
                    f"{name}: cache hit ratio {ratio:.0%}",
                    "the service's own counters (/ready)",
                    artifact,
                    "cache the hot reads, or lengthen their TTL",
                )
            )
    return out


def _capacity(capacity: dict[str, Any] | None) -> list[Finding]:
    if not capacity or "verdict" not in capacity:
        return []
    db = capacity["database"]
    if capacity["verdict"] == "UNREACHABLE":
        return [
            Finding(
                "Critical",
                "Database connections cap the target peak",
                f"{db['busy_at_design']:.1f} connections busy at the design rate, budget {db['budget']}",
                "audit_artifacts/capacity_plan.md",
                "cut connection hold time; read replicas; PgBouncer",
            )
        ]
    if capacity["verdict"] == "PGBOUNCER":
        return [
            Finding(
                "Medium",
                "PgBouncer needed at the target peak",
                f"{db['direct_connections']} direct connections against a budget of {db['budget']}",
                "audit_artifacts/capacity_plan.md",
                "deploy PgBouncer in transaction mode",
            )
        ]
    return []


def findings(
    reports: dict[str, dict[str, Any]],
    top: list[dict[str, Any]],
    plans: dict[int, dict[str, Any]],
    n_plus_one: list[dict[str, Any]],
    probed: list[dict[str, Any]],
    capacity: dict[str, Any] | None,
) -> list[Finding]:
    """Every finding, most severe first, numbered PERF-001 on."""
    found = _probes(n_plus_one, probed) + _statements(top, plans) + _runs(reports) + _capacity(capacity)
    found.sort(key=lambda f: SEVERITIES.index(f.severity))
    for number, f in enumerate(found, 1):
        f.id = f"PERF-{number:03d}"
    return found
