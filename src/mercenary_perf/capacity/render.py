"""The plan as Markdown: the figures it rests on, the fleet, the database, memory and triggers."""

from __future__ import annotations

from typing import Any

VERDICTS = {
    "OK": "reachable with direct database connections",
    "PGBOUNCER": "reachable, with PgBouncer in transaction mode in front of PostgreSQL",
    "UNREACHABLE": "NOT reachable: the database's connection budget caps it whatever the instance count",
}


def markdown(plan: dict[str, Any]) -> str:
    """Render ``plan`` (from ``model.plan``) as a Markdown document."""
    m, c, fl, db, mem = plan["measured"], plan["concurrency"], plan["fleet"], plan["database"], plan["memory"]
    bound = " (a lower bound)" if m["instance_rps_is_lower_bound"] else ""
    lines = [
        f"# Capacity plan: {plan['target_peak_rps']:,.0f} req/s peak, {plan['headroom']:g}x headroom",
        "",
        f"**Verdict: {plan['verdict']}**, {VERDICTS[plan['verdict']]}. Design rate "
        f"{plan['design_rps']:,.0f} req/s.",
        "",
        "## Measured",
        "",
        f"- One instance ({m['workers']} worker(s)) carries {m['instance_rps']:,.0f} req/s{bound}: "
        f"{m['instance_rps_source']}.",
        f"- Latency p50 {m['p50_ms']:g} ms, p95 {m['p95_ms']:g} ms: {m['latency_source']}.",
        f"- Peak RSS of the instance {m['rss_mb']:g} MB.",
        "",
        "## Concurrency (Little's law, L = λW)",
        "",
        "| rate | W = p50 | W = p95 |",
        "| --- | ---: | ---: |",
        f"| peak {plan['target_peak_rps']:,.0f} req/s | {c['at_peak_p50']:,.1f} | {c['at_peak_p95']:,.1f} |",
        f"| design {plan['design_rps']:,.0f} req/s | {c['at_design_p50']:,.1f} | {c['at_design_p95']:,.1f} |",
        "",
        "## Fleet",
        "",
        f"**{fl['instances']} instance(s) x {fl['workers_per_instance']} worker(s) x "
        f"{c['per_process']} requests in flight per process** ({fl['processes']} processes).",
        f"Each instance takes {fl['rps_per_instance_at_peak']:,.0f} req/s at the peak and may take up to "
        f"{fl['rps_per_instance_limit']:,.0f} (its knee / headroom); the fleet keeps its headroom up to "
        f"{fl['max_peak_rps']:,.0f} req/s.",
        "",
        "## Database connections",
        "",
        f"- ({fl['processes']} API + {db['job_workers']} job worker) processes x `DB_POOL_SIZE` "
        f"{db['pool_size']} = **{db['direct_connections']}** connections, {db['direct_share']:.0%} of "
        f"`max_connections` {db['max_connections']} (budget: {db['budget']}, below 80 %). "
        f"Set `DB_POOL_PROCESSES={db['pools']}`.",
        f"- Direct connections fit up to {db['max_instances_direct']} instance(s), i.e. a peak of "
        f"{db['max_peak_direct_rps']:,.0f} req/s.",
    ]
    if db["pgbouncer"]:
        lines.append(
            f"- **PgBouncer needed** (transaction mode, `DB_STATEMENT_TIMEOUT_MODE=transaction`): "
            f"`max_client_conn` >= {db['pgbouncer_max_client_conn']}, server pool "
            f"{db['pgbouncer_server_pool']} (must stay <= {db['budget']})."
        )
    else:
        lines.append("- PgBouncer not needed yet.")
    source = "measured" if db["hold_measured"] else "p50 latency, an upper bound"
    lines += [
        f"- A request holds a connection for at most {db['hold_ms']:g} ms ({source}): "
        f"{db['busy_at_design']:,.1f} busy at the design rate; the budget caps any fleet at a peak of "
        f"{db['max_peak_rps']:,.0f} req/s.",
        "",
        "## Memory",
        "",
        f"- {mem['rss_mb']:g} MB measured per instance; give each {mem['limit_mb']} MB "
        f"({plan['headroom']:g}x), {mem['fleet_mb']:,} MB for the fleet.",
        f"- SLO-7 (< 300 MB per process): {'met' if mem['slo7_ok'] else 'NOT met'}.",
        "",
        "## Scaling triggers (000 §3, 003)",
        "",
        "| action | when | from |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {t['action']} | {t['when']} | {t['source']} |" for t in plan["triggers"]]
    if plan["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in plan["notes"]]
    return "\n".join(lines) + "\n"
