"""mixed: 80 % reads / 20 % writes at the SLO-4 throughput (001, 004 baseline).

Traffic: 1,000 req/s for 60 s (the SLO-4 target; lower it with --rate to explore, but
the rate threshold stays at 1,000), as 10 logged-in clients and 10 logged-in freelancers.
Reads: 35 % GET /projects/{id}, the id drawn with Zipf's law (s = 1) from up to 20,000 sampled
public projects (the hottest 1 % of ids take ~56 % of these reads, the hottest 10 % ~78 %);
25 % GET /projects; 15 % /users/me; 8 % /skills; 7 % /users/{id}/rating (Zipf, s = 1, over the
sampled freelancers, whose ratings anyone may read); 6 % /search/projects: the first word drawn
with Zipf's law (s = 1) over the words
of 3,000 sampled open projects ranked by how many of them contain it (boilerplate words, in over
15 % of them, left out), 1, 2 or 3 words (50/35/15 %), the later ones from one project that
has the first, and 30 % also filtered by one of its skills; 4 % /proposals.
Writes: 45 % proposals by a freelancer on an open project (Zipf, s = 1, over the sampled open
ones) where they have no live proposal (read from the database, remembered through the run);
35 % POST /projects (open, the text and skills of a sampled open project, with an
Idempotency-Key); 20 % PATCH of the budget of a draft or open project of the client's own
organization (posted ones included). No write is a 404 or a 409 by design.
Thresholds: reads p95 < 200, p99 < 500 (SLO-1); writes p95 < 500, p99 < 800 (SLO-2); errors
< 0.1 % (SLO-3); >= 990 req/s answered without an error (goodput, SLO-4: sending 1,000 req/s
is not serving them).
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
