"""read-heavy: 95 % reads, 5 % writes (001; the cache's scenario, SLO-9).

Traffic: 200 req/s for 60 s; the read and write choices of `mixed`: project ids from a Zipf
(s = 1) hot set of up to 20,000 public projects, ratings of a Zipf hot set of freelancers, search words
drawn with Zipf's law over the sampled project text (1-3 words, 30 % with a skill filter); writes
are fresh bids, project posts and PATCHes of the client's own projects (no 404/409 by design).
Thresholds: reads p95 < 200, p99 < 500 (SLO-1); errors < 0.1 % (SLO-3). The cache hit
ratio (SLO-9) is read from the service's metrics, not from outside, and is not judged here.
"""

from __future__ import annotations

from mercenary_perf.generator import Flow
from mercenary_perf.scenarios.actions import READ_WRITE_GROUPS, mix, prepare, read_one, write_one
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import constant
from mercenary_perf.slo import error_rate, p95, p99


async def setup(ctx: Context) -> Flow:
    """Prepare tokens and ids; 95/5 read/write."""
    pool = await prepare(ctx)
    return mix(pool, [(95, read_one(pool)), (5, write_one(pool))])


SCENARIO = Scenario(
    name="read-heavy",
    traffic=__doc__ or "",
    requirements=("SLO-1", "SLO-3", "SLO-9"),
    setup=setup,
    shape=constant,
    rate=200,
    duration_s=60,
    thresholds=(p95(200, "SLO-1", "group:read"), p99(500, "SLO-1", "group:read"), error_rate(0.001, "SLO-3")),
    groups=READ_WRITE_GROUPS,
)
