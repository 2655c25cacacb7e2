"""``06-performance-scalability-audit.md``: seed 002's template, section for section, each slot filled
with a figure of this run (or, where 002 asks about a part this service does not have, a frontend,
saying so)."""

from __future__ import annotations

from typing import Any

from mercenary_perf.audit.findings import SEVERITIES, Finding

ETA = {"Critical": "Day 1-2", "High": "Day 3", "Medium": "Day 5", "Low": "Day 6"}


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _table(head: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _header(a: dict[str, Any]) -> str:
    m = a["machine"]
    dirty = " (with local changes)" if m.get("dirty") else ""
    return f"""# ⚡ Performance & Scalability Audit

**Deliverable**: `06-performance-scalability-audit.md` (this file), written by `mercenary-perf audit`

**Repo**: `mercenary` (branch `{m.get("branch")}`)
**Commit SHA**: `{m.get("commit")}`{dirty}
**Auditor**: `mercenary-perf audit` (automated run; figures below are measured, not estimated)
**Date**: {a["date"]}

Rig: {a["rig"]["layout_detail"]}; PostgreSQL {a["postgres_version"]} with `pg_stat_statements` and
`auto_explain`, Redis; dataset `{a["scale"]}` (seed {a["seed"]}: {a["dataset_counts"]}); service
`{a["rig"]["workers"]}` worker(s) under a {a["rig"]["memory_cap"]} memory cap. Target peak:
**{_f(a["peak"], 0)} req/s**. Command: `{a["command"]}`.

---
"""


def _objectives(a: dict[str, Any]) -> str:
    rows = []
    for name, r in a["reports"].items():
        o = r["overall"]
        rows.append([name, _f(r["requested"]["rate"], 0), _f(o["rate"]), o["latency_ms"]["p95"],
                     o["latency_ms"]["p99"], f"{o['error_rate']:.3%}", r["verdict"]])  # fmt: skip
    return f"""
## 0) Objectives & Success Criteria
**Goal:** Hit target throughput with predictable latency under load. Kill N+1s, bad indexes,
bloated bundles, and memory leaks.

**Done means:**
- **SLOs:** p95 **< 300ms**, p99 **< 800ms**, error rate **< 1%**, availability **≥ 99.9%** over 30d.
- **Stability:** Soak test shows **no latency creep** and **no memory growth** (§4.2).
- **Capacity:** Clear **headroom ≥ 2x** peak traffic; scaling plan documented (§5).
- **Budgets:** no frontend bundle here (§3); API timeouts and rate limits defined (§2.7).

Measured in this run (every scenario on PostgreSQL):

{_table(["scenario", "asked req/s", "served req/s", "p95 ms", "p99 ms", "errors", "verdict"], rows)}

---
"""


def _baseline(a: dict[str, Any]) -> str:
    t, pg = a["traffic"], a["pg_settings"]
    return f"""
## 1) Baseline & Inventory

### 1.1 Traffic Profile (fill)
| Metric | Current | Target |
|---|---:|---:|
| Peak RPS (read) | {_f(t["read_rps"])} | {_f(t["read_target"])} |
| Peak RPS (write) | {_f(t["write_rps"])} | {_f(t["write_target"])} |
| Concurrency (90th) | {_f(t["concurrency_p90"])} | {_f(t["concurrency_target"])} |
| Largest payload (KB) | {_f(t["largest_kb"], 2)} | {_f(t["payload_budget_kb"], 0)} |

Current: the highest read and write rates served in one scenario ({t["read_source"]}; {t["write_source"]}).
Targets: the target peak split by the measured read share ({_f(t["read_share"] * 100)} %). Concurrency:
requests in flight per second by Little's law (served per second x that second's p50), 90th
percentile over {t["seconds"]} measured seconds; target: the plan's in-flight count at the peak
(p95). Largest payload: the biggest answer of the probe pass ({t["largest_endpoint"]}).

Exported: `audit_artifacts/traffic_profile.csv` (every endpoint of every scenario).

### 1.2 Env & Flags
- **Prod-like** DB: PostgreSQL seeded with the `{a["scale"]}` dataset; every scenario on a fresh copy.
- **Statement timeout**: `DB_STATEMENT_TIMEOUT_MS` = {a["statement_timeout"]} ms
  (set by the service per connection, DB-5).
- **Slow query log**: `log_min_duration_statement` = {pg.get("log_min_duration_statement", "n/a")} ms
  on the audit's cluster.
- **Server timeouts**: `REQUEST_TIMEOUT_S` and `HTTP_KEEP_ALIVE_S` (docs/operations.md);
  `max_connections` = {pg.get("max_connections", "n/a")}.

---
"""


def _backend(a: dict[str, Any]) -> str:
    per = [[n, s["requests"], s["statements"], _f(s["per_request"], 2)] for n, s in a["per_scenario"].items()]
    probes = [[p["endpoint"], p["page"] or "", p["items"] if p["items"] is not None else "",
               "/".join(map(str, p["statuses"])), "/".join(map(str, p["statements"])), p["response_kb"]]
              for p in a["probed"]]  # fmt: skip
    n1 = [[r["endpoint"], r["small_page"]["statements"], r["large_page"]["statements"],
           r["extra_statements"], "yes" if r["n_plus_one"] else "no"] for r in a["n_plus_one"]]  # fmt: skip
    top = [[i, s["calls"], _f(s["total_ms"]), _f(s["mean_ms"], 3), _f(s["max_ms"], 2), s["rows"],
            "yes" if s["queryid"] in a["plans"] else "no", "`" + " ".join(s["query"].split())[:90] + "`"]
           for i, s in enumerate(a["top"][:10], 1)]  # fmt: skip
    return f"""
## 2) Backend Performance Checks

### 2.1 Query Health & N+1
Call sites: {a["sql_sites"]} lines build or run a statement (`audit_artifacts/sql_calls.txt`); {a["suspects"]}
loops await a statement in their body (`audit_artifacts/n_plus_one_suspects.txt`, leads only).

Statements per request, from `pg_stat_statements` deltas around each scenario (setup logins included):

{_table(["scenario", "requests", "statements", "per request"], per)}

Statements per request measured one request at a time on an idle service (the probe pass;
three repeats of each read, the first may fill a cache; `audit_artifacts/statements_per_request.csv`):

{_table(["endpoint", "limit", "rows", "statuses", "statements", "KB"], probes)}

N+1 check (statements at page size 5 and 50; `audit_artifacts/n_plus_one.json`):

{_table(["list endpoint", "limit 5", "limit 50", "extra", "N+1"], n1)}

**EXPLAIN:** `auto_explain` logged `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` of every statement of the
probe pass, with its real parameters; the plans of the top statements are in
`audit_artifacts/explain/<rank>-<queryid>.json` ({len(a["explained"])} of the top {len(a["top"])}).

### 2.2 Index Coverage & Constraints
Top statements by total time over all scenarios (`audit_artifacts/pg_stat_top.sql.txt` has 50,
slowest mean first):

{_table(["#", "calls", "total ms", "mean ms", "max ms", "rows", "plan", "statement"], top)}

Sequential scans in the plans of the top statements: {a["scan_summary"]}.

### 2.3 Pooling & Concurrency
- `DB_POOL_SIZE` x processes against `max_connections` (80 % budget): {a["capacity_db_line"]}.
- Statement timeout {a["statement_timeout"]} ms, requests cancelled past `REQUEST_TIMEOUT_S`.

### 2.4 Caching Strategy
{a["cache_line"]}

### 2.5 Async Jobs & Backpressure
The API measures `queue_depth`; workers `queue_wait_seconds`, `job_duration_seconds`,
`job_failures_total` (docs/jobs.md). Depth past `QUEUE_MAX_DEPTH` answers 503 with `Retry-After`.

### 2.6 Memory/CPU Profiling
Soak with the tracemalloc leak sentinel on: {a["soak_line"]}
RSS samples: `audit_artifacts/soak_rss.csv`. CPU flame graphs: `docs/profiling.md` (py-spy).

### 2.7 Timeouts, Limits, Retries
- DB `statement_timeout` {a["statement_timeout"]} ms; rate limits per IP and user (429 + `Retry-After`),
  raised by the rig so the load is not throttled; breakers around Redis (docs/resilience.md).

---
"""


def _frontend(a: dict[str, Any]) -> str:
    t = a["traffic"]
    return f"""
## 3) Frontend Performance Checks

### 3.1 Budgets & Audits
Not applicable: the service is an HTTP API and ships no bundle. Its budget is the answer size:
largest measured {_f(t["largest_kb"], 2)} KB ({t["largest_endpoint"]}),
budget {_f(t["payload_budget_kb"], 0)} KB.

### 3.2 Code-Splitting & Render Health
Not applicable (no frontend). Lists are paginated by cursor (limit ≤ 100).

### 3.3 CWV & RUM
Not applicable (no frontend).

---
"""


def _load(a: dict[str, Any]) -> str:
    rows = []
    for name, r in a["reports"].items():
        for t in r["thresholds"]:
            rows.append([name, t["requirement"], t["metric"], t["scope"] or "overall",
                         f"{t['op']} {t['limit']}", _f(t["value"], 3),
                         "pass" if t["passed"] else "FAIL"])  # fmt: skip
    return f"""
## 4) Load, Stress, Soak & Chaos

### 4.1 Smoke & Sustained
The harness replaces k6 (`mercenary-perf`, open loop, coordinated-omission safe). Each run's report:
`audit_artifacts/load/postgres-<scenario>.{{json,md,html}}`.

### 4.2 Scenario Tests
{_table(["scenario", "req", "metric", "scope", "threshold", "measured", "verdict"], rows)}

Soak at 0.6x the peak ({_f(a["soak"]["rate"], 0)} req/s for {_f(a["soak"]["duration_s"], 0)} s):
{a["soak_line"]}

### 4.3 Chaos & Failure Injection
Not part of this run: `docs/resilience.md` has the measured database, Redis and worker failure drills.

---
"""


def _capacity(a: dict[str, Any]) -> str:
    return f"""
## 5) Capacity Planning

### 5.1 Back-of-Napkin Model
{a["capacity_summary"]}

### 5.2 DB Connections Formula
```
connections = instances x workers x pool size (+ job workers x pool size)
```
{a["capacity_db_line"]}.

### 5.3 Autoscaling Policy
{a["capacity_triggers"]}

The whole plan: `audit_artifacts/capacity_plan.md` (and `.json`).

---
"""


def _fixed_sections() -> str:
    return """
## 6) Observability & Alerts
- **Metrics:** `/metrics` (docs/observability.md): request histogram by route, statement time, pool,
  cache, shed requests, breakers, queue depth, job wait/run/failures, RSS and CPU.
- **Traces:** OpenTelemetry, W3C context carried into jobs (docs/tracing.md).
- **Logs:** JSON lines with tenant, user, route, status, duration and the correlation id.
- **Dashboards:** `deploy/grafana/mercenary.json`: RED per endpoint, USE per instance, jobs.
- **Alerts:** `deploy/prometheus/alerts.yml`: error rate > 2% (5m), p95 > 300ms (10m),
  queue wait > 2s (5m), memory RSS > 85% (10m).

---

## 7) Helper Scripts & Hooks
- Slow statement log: the service logs statements over `DB_SLOW_STATEMENT_MS` on `mercenary.db.slow`.
- Timing: `request_duration_seconds` and the access line's `duration_ms` / `db_ms`.
- This report: `mercenary-perf audit` (docs/audit.md).

---
"""


def _findings(a: dict[str, Any], found: list[Finding]) -> str:
    counts = {s: sum(1 for f in found if f.severity == s) for s in SEVERITIES}
    rows = [[f.id, f.severity, f.title, f.evidence, f"`{f.artifact}`", f.fix] for f in found]
    table = _table(["id", "severity", "finding", "evidence", "artifact", "fix"], rows) if rows else "None."
    top = found[:3]
    owners = (
        "\n".join(
            f"{i}) `{f.id} - {f.title}` — Owner: `backend on-call` — "
            f"ETA: `{ETA[f.severity]} of the remediation plan`"
            for i, f in enumerate(top, 1)
        )
        or "1) No finding: nothing to assign."
    )
    return f"""
## 8) Risk Scoring & Prioritization
{table}

(`audit_artifacts/findings.json` has them all, with the rule that raised each.)

---

## 9) Remediation Plan
- **Day 1-2:** the Critical findings above ({counts["Critical"]}).
- **Day 3:** the High findings ({counts["High"]}).
- **Day 5:** the Medium findings ({counts["Medium"]}).
- **Day 6:** a full soak (30 min or more) and this audit again; the Low findings ({counts["Low"]}).

---

## 10) CI Enforcement
- `mercenary-perf smoke` gates every change (p95 < 300 ms, errors < 1 %); a CI-sized audit runs in
  the test suite.
- Query counts per request are asserted in the unit suite; this audit's probe pass measures them
  on PostgreSQL.

---

## 11) Reviewer Checklist (PR Gate)
- ☐ Query plans sane (indexed), no obvious N+1.
- ☐ Timeouts and retries set for any new external call.
- ☐ Cache/invalidation described.
- ☐ Payload size measured for new list endpoints.
- ☐ Metrics/traces added for new hot paths.

---

## 12) Findings Summary
- **Critical:** `{counts["Critical"]}`
- **High:** `{counts["High"]}`
- **Medium:** `{counts["Medium"]}`
- **Low:** `{counts["Low"]}`

Top issues & owners:
{owners}

---

## 13) Sign-off
- Backend Lead: `pending review of this run`
- Frontend Lead: `not applicable (no frontend)`
- SRE: `pending review of this run`
- Product: `pending review of this run`

> Attach all `audit_artifacts/*` and this markdown to the PR/release package.
"""


def render(a: dict[str, Any], found: list[Finding]) -> str:
    """The whole document."""
    return (
        _header(a)
        + _objectives(a)
        + _baseline(a)
        + _backend(a)
        + _frontend(a)
        + _load(a)
        + _capacity(a)
        + _fixed_sections()
        + _findings(a, found)
    )
