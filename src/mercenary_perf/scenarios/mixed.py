"""mixed: 80 % reads / 20 % writes at the SLO-4 throughput (001, 004 baseline).

Traffic: 1,000 req/s for 60 s (the SLO-4 target; lower it with --rate to explore, but
the rate threshold stays at 1,000). Thresholds: reads p95 < 200, p99 < 500 (SLO-1);
writes p95 < 500, p99 < 800 (SLO-2); errors < 0.1 % (SLO-3); >= 990 req/s answered without
an error (goodput, SLO-4: sending 1,000 req/s is not serving them).
"""

from __future__ import annotations

from mercenary_perf.generator import Flow
from mercenary_perf.scenarios.actions import READ_WRITE_GROUPS, mix, prepare, read_one, write_one
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import constant
from mercenary_perf.slo import Threshold, error_rate, p95, p99

THRESHOLDS = (
    p95(200, "SLO-1", "group:read"),
    p99(500, "SLO-1", "group:read"),
    p95(500, "SLO-2", "group:write"),
    p99(800, "SLO-2", "group:write"),
    error_rate(0.001, "SLO-3"),
)


async def setup(ctx: Context) -> Flow:
    """Prepare tokens and ids; 80/20 read/write."""
    pool = await prepare(ctx)
    return mix(pool, [(80, read_one(pool)), (20, write_one(pool))])


SCENARIO = Scenario(
    name="mixed",
    traffic=__doc__ or "",
    requirements=("SLO-1", "SLO-2", "SLO-3", "SLO-4"),
    setup=setup,
    shape=constant,
    rate=1000,
    duration_s=60,
    thresholds=(*THRESHOLDS, Threshold("SLO-4", "goodput", ">=", 990, unit="req/s")),
    groups=READ_WRITE_GROUPS,
)
