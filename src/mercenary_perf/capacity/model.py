"""The arithmetic of a capacity plan (002 §5, PERF-4): pure functions of measured figures.

- Little's law, ``L = λ x W``: requests in flight at a rate λ, each taking W (p50 for the average,
  p95 for sizing).
- Headroom: the fleet must carry ``headroom x`` the target peak (2x, SLO-13) with each instance at
  or below its measured knee.
- Database connections: ``(instances x workers + job workers) x DB_POOL_SIZE`` must stay below 80 %
  of ``max_connections`` (the service's own start-up check, docs/operations.md); past that,
  PgBouncer in transaction mode, whose server-side pool is what must fit instead.
- The database limit no instance count lifts: a request holds at most one connection for at most
  its own duration, so the connections busy at once are ``rate x hold``, and they can never exceed
  the 80 % budget. Without a measured hold time the p50 latency is used: an upper bound, so the
  ceiling it gives is a safe (low) one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mercenary_perf.capacity.figures import Figures

BUDGET_FRACTION = 0.8  # 002 §5.2, and the service's own DB-6 check


@dataclass(frozen=True)
class Params:
    """The target and the deployment's fixed facts (defaults: the service's and PostgreSQL's)."""

    peak_rps: float
    headroom: float = 2.0
    max_connections: int = 100
    pool_size: int = 10  # DB_POOL_SIZE
    job_workers: int = 1  # job worker processes, each with its own pool
    pgbouncer_pool: int = 20  # PgBouncer default_pool_size + reserve_pool_size
    min_instances: int = 1
    db_hold_ms: float | None = None


def budget(max_connections: int) -> int:
    """The most connections that stay strictly below 80 % of ``max_connections``."""
    return math.ceil(max_connections * BUDGET_FRACTION) - 1


def little(rate: float, ms: float) -> float:
    """Requests in flight (L = λW) at ``rate`` req/s when each takes ``ms``."""
    return rate * ms / 1000.0


def plan(f: Figures, p: Params) -> dict[str, Any]:
    """The plan as a JSON-ready dict; ``verdict`` is OK, PGBOUNCER or UNREACHABLE."""
    design = p.peak_rps * p.headroom
    per_instance = f.instance_rps / p.headroom  # what one instance may carry in normal operation
    instances = max(p.min_instances, math.ceil(design / f.instance_rps))
    processes = instances * f.workers
    in_flight_p95 = little(design, f.p95_ms)
    conn_budget = budget(p.max_connections)
    pools = processes + p.job_workers
    direct = pools * p.pool_size
    max_pools = conn_budget // p.pool_size
    max_instances_direct = max(0, (max_pools - p.job_workers) // f.workers)
    hold_ms = p.db_hold_ms if p.db_hold_ms is not None else f.p50_ms
    db_busy = little(design, hold_ms)
    db_ceiling = conn_budget / (hold_ms / 1000.0) / p.headroom  # the largest peak any fleet can take
    verdict = "OK" if direct <= conn_budget else "PGBOUNCER"
    notes = list(f.notes)
    if db_busy > conn_budget:
        verdict = "UNREACHABLE"
    elif verdict == "PGBOUNCER" and not math.ceil(db_busy) <= p.pgbouncer_pool <= conn_budget:
        notes.append(
            f"PgBouncer's server pool ({p.pgbouncer_pool}) should be between {math.ceil(db_busy)} "
            f"(connections busy at the design rate) and {conn_budget} (80 % of max_connections)"
        )
    if verdict != "UNREACHABLE" and db_busy > processes * p.pool_size:
        # The API processes' pools together are smaller than the work: requests queue for a connection.
        notes.append(
            f"the API pools hold {processes * p.pool_size} connections but {db_busy:,.1f} are busy at the "
            f"design rate: raise DB_POOL_SIZE to at least {math.ceil(db_busy / processes)}"
        )
    memory_limit = math.ceil(f.rss_mb * p.headroom)
    return {
        "target_peak_rps": p.peak_rps,
        "headroom": p.headroom,
        "design_rps": design,
        "verdict": verdict,
        "measured": {
            "instance_rps": f.instance_rps,
            "instance_rps_source": f.instance_rps_source,
            "instance_rps_is_lower_bound": f.instance_rps_is_lower_bound,
            "workers": f.workers,
            "p50_ms": f.p50_ms,
            "p95_ms": f.p95_ms,
            "latency_source": f.latency_source,
            "rss_mb": f.rss_mb,
            "read_share": f.read_share,
        },
        "concurrency": {
            "at_peak_p50": little(p.peak_rps, f.p50_ms),
            "at_peak_p95": little(p.peak_rps, f.p95_ms),
            "at_design_p50": little(design, f.p50_ms),
            "at_design_p95": in_flight_p95,
            "per_process": math.ceil(in_flight_p95 / processes),
        },
        "fleet": {
            "instances": instances,
            "workers_per_instance": f.workers,
            "processes": processes,
            "rps_per_instance_at_peak": p.peak_rps / instances,
            "rps_per_instance_limit": per_instance,
            "max_peak_rps": instances * per_instance,
        },
        "database": {
            "max_connections": p.max_connections,
            "budget": conn_budget,
            "pool_size": p.pool_size,
            "job_workers": p.job_workers,
            "pools": pools,
            "direct_connections": direct,
            "direct_share": direct / p.max_connections,
            "max_instances_direct": max_instances_direct,
            "max_peak_direct_rps": max_instances_direct * per_instance,
            "pgbouncer": verdict != "OK",
            "pgbouncer_server_pool": p.pgbouncer_pool,
            "pgbouncer_max_client_conn": direct,
            "hold_ms": hold_ms,
            "hold_measured": p.db_hold_ms is not None,
            "busy_at_design": db_busy,
            "max_peak_rps": db_ceiling,
        },
        "memory": {
            "rss_mb": f.rss_mb,
            "limit_mb": memory_limit,
            "scale_at_mb": math.floor(memory_limit * 0.8),
            "fleet_mb": memory_limit * instances,
            "slo7_ok": f.rss_mb / f.workers < 300,
        },
        "triggers": triggers(f, p, instances, memory_limit),
        "notes": notes,
    }


def triggers(f: Figures, p: Params, instances: int, memory_limit: int) -> list[dict[str, str]]:
    """000 §3 and 003's scaling triggers with this plan's numbers in them."""
    limit = f.instance_rps / p.headroom
    down = (instances - 1) * limit
    rows = [
        (
            "add an instance",
            f"req/s per instance > {limit:,.0f} for 10 min",
            "002 §5.3, SLO-13 (knee / headroom)",
        ),
        (
            "add an instance",
            "p95 > 200 ms (reads) or > 500 ms (writes) for 10 min",
            "003 (p95 > 2 s), SLO-1/2",
        ),
        ("add an instance", "CPU > 70 % for 10 min (aim for 60-65 %)", "003, 002 §5.3"),
        ("add an instance", f"RSS > {math.floor(memory_limit * 0.8)} MB (80 % of {memory_limit} MB)", "003"),
        ("add an instance, then investigate", "5xx + timeouts > 0.1 % for 5 min", "003 (1 %), SLO-3"),
        (
            "larger VM (S1 vertical)",
            "CPU > 80 % sustained with the instances above already added",
            "000 §3 S1",
        ),
        (
            "PgBouncer (transaction mode)",
            f"connections in use > {budget(p.max_connections)} (80 % of max_connections {p.max_connections})",
            "002 §5.2, DB-6",
        ),
        ("add a job worker (S4)", "queue depth > 100 jobs", "003, 000 §3 S4"),
    ]
    if f.read_share is not None:
        rows.append(
            (
                "read replica (S2)",
                f"reads >= {f.read_share:.0%} of requests (as measured) and database CPU > 70 % for 10 min",
                "000 §3 S2",
            )
        )
    if instances > p.min_instances:
        rows.append(
            (
                "remove an instance",
                f"total rate < {down:,.0f} req/s and CPU < 30 % and "
                f"RSS < {math.floor(memory_limit * 0.5)} MB for 30 min",
                "003 scale down",
            )
        )
    return [{"action": a, "when": w, "source": s} for a, w, s in rows]
