"""browse: list open projects then paginate with the returned cursor (000 §6, SLO-6).

Traffic: 50 flows/s; each lists /api/v1/projects?status=open (30 % with a skill filter)
and follows next_cursor for 0-2 more pages, as a logged-in seeded user.
Thresholds: whole flow p95 < 400 ms (SLO-6); each list call p95 < 200, p99 < 500 (SLO-1);
errors < 0.1 % (SLO-3).
"""

from __future__ import annotations

from mercenary_perf.generator import Flow
from mercenary_perf.scenarios.actions import browse, prepare
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import constant
from mercenary_perf.slo import error_rate, p95, p99

LIST = "GET /api/v1/projects"


async def setup(ctx: Context) -> Flow:
    """Log in a mix of users for the browsing flows."""
    return browse(await prepare(ctx))


SCENARIO = Scenario(
    name="browse",
    traffic=__doc__ or "",
    requirements=("SLO-6", "SLO-1", "SLO-3"),
    setup=setup,
    shape=constant,
    rate=50,
    duration_s=60,
    thresholds=(
        p95(400, "SLO-6", "flow:browse"),
        p95(200, "SLO-1", LIST),
        p99(500, "SLO-1", LIST),
        error_rate(0.001, "SLO-3"),
    ),
)
