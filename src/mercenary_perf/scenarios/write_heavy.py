"""write-heavy: 70 % writes with idempotency keys, 30 % reads (001, 002 §4).

Traffic: 100 req/s for 60 s; the read and write choices of `mixed`: writes post projects,
submit proposals (both with an Idempotency-Key header) on open projects (Zipf, s = 1) where the
freelancer has no live proposal, and patch budgets of the client's own draft or open projects;
reads draw ids and search words with Zipf's law (s = 1). Thresholds: writes p95 < 500,
p99 < 800 (SLO-2); errors < 0.1 % (SLO-3).
"""

from __future__ import annotations

from mercenary_perf.generator import Flow
from mercenary_perf.scenarios.actions import READ_WRITE_GROUPS, mix, prepare, read_one, write_one
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import constant
from mercenary_perf.slo import error_rate, p95, p99


async def setup(ctx: Context) -> Flow:
    """Prepare tokens and ids; 30/70 read/write."""
    pool = await prepare(ctx)
    return mix(pool, [(30, read_one(pool)), (70, write_one(pool, idempotent=True))])


SCENARIO = Scenario(
    name="write-heavy",
    traffic=__doc__ or "",
    requirements=("SLO-2", "SLO-3"),
    setup=setup,
    shape=constant,
    rate=100,
    duration_s=60,
    thresholds=(
        p95(500, "SLO-2", "group:write"),
        p99(800, "SLO-2", "group:write"),
        error_rate(0.001, "SLO-3"),
    ),
    groups=READ_WRITE_GROUPS,
)
