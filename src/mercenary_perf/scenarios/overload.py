"""overload: the mixed load jumps past what the instance can serve; heavy requests are shed so
that light ones keep their latency (RES-4, RES-7).

Traffic: the mixed 80/20 load (its Zipf hot sets of ids and search words, fresh bids, PATCHes of
the client's own projects), rate / 5 for 15 s, then `rate` (default 1,100 req/s: about 1.2x the
knee of one instance on the reference VM; set it from the stress scenario's knee) for 30 s, then
rate / 5 for 15 s to watch recovery. Groups: `light` is every read but search, `heavy` is search
(the one heavy endpoint of the mix, the one the service sheds), `write` the
writes. Thresholds: light reads p99 < 100 ms and never refused (errors < 0.1 %), RES-4; search is
shed (some of it refused, errors > 0: a run where nothing was shed never overloaded the service
and shows nothing); writes, which are never shed, p99 < 800 ms and errors < 0.1 % (SLO-2, SLO-3).
"""

from __future__ import annotations

from mercenary_perf.generator import Flow
from mercenary_perf.scenarios.actions import (
    READ_ENDPOINTS,
    WRITE_ENDPOINTS,
    mix,
    prepare,
    read_one,
    write_one,
)
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import Shape, spike
from mercenary_perf.slo import Threshold, error_rate, p99

HEAVY = ("GET /api/v1/search/projects",)
GROUPS = {
    "light": tuple(e for e in READ_ENDPOINTS if e not in HEAVY),
    "heavy": HEAVY,
    "write": WRITE_ENDPOINTS,
}


async def setup(ctx: Context) -> Flow:
    """Same mix as `mixed`."""
    pool = await prepare(ctx)
    return mix(pool, [(80, read_one(pool)), (20, write_one(pool))])


def shape(rate: float, duration_s: float) -> Shape:
    """Calm, overload, calm (a quarter, a half, a quarter of ``duration_s``)."""
    return spike(rate / 5, rate, duration_s / 4, duration_s / 2, duration_s / 4)


SCENARIO = Scenario(
    name="overload",
    traffic=__doc__ or "",
    requirements=("RES-4", "RES-7", "SLO-2", "SLO-3"),
    setup=setup,
    shape=shape,
    rate=1100,
    duration_s=60,
    thresholds=(
        p99(100, "RES-4", "group:light"),
        error_rate(0.001, "RES-4", "group:light"),
        Threshold("RES-4", "error_rate", ">", 0, "group:heavy"),
        p99(800, "SLO-2", "group:write"),
        error_rate(0.001, "SLO-3", "group:write"),
    ),
    groups=GROUPS,
)
