"""spike: the mixed load jumps 5x for 10 s, then falls back (002 §4).

Traffic: base = rate / 5 for 20 s, rate (default 500 req/s) for 10 s, base for 30 s to
watch recovery; 80/20 read/write with the choices of `mixed` (Zipf hot sets of ids and
search words, fresh bids, PATCHes of the client's own projects). Thresholds: reads
p99 < 500 (SLO-1); writes p99 < 800 (SLO-2); errors < 0.1 % (SLO-3), over the whole run
including the spike.
"""

from __future__ import annotations

from mercenary_perf.generator import Flow
from mercenary_perf.scenarios.actions import READ_WRITE_GROUPS, mix, prepare, read_one, write_one
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import Shape, spike
from mercenary_perf.slo import error_rate, p99


async def setup(ctx: Context) -> Flow:
    """Same mix as `mixed`."""
    pool = await prepare(ctx)
    return mix(pool, [(80, read_one(pool)), (20, write_one(pool))])


def shape(rate: float, duration_s: float) -> Shape:
    """Base, spike, recovery; ``duration_s`` stretches the three phases proportionally."""
    k = duration_s / 60.0
    return spike(rate / 5, rate, 20 * k, 10 * k, 30 * k)


SCENARIO = Scenario(
    name="spike",
    traffic=__doc__ or "",
    requirements=("SLO-1", "SLO-2", "SLO-3"),
    setup=setup,
    shape=shape,
    rate=500,
    duration_s=60,
    thresholds=(
        p99(500, "SLO-1", "group:read"),
        p99(800, "SLO-2", "group:write"),
        error_rate(0.001, "SLO-3"),
    ),
    groups=READ_WRITE_GROUPS,
)
