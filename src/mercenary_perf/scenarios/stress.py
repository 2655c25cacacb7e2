"""stress: find the knee (002 §0, SLO-13).

Traffic: the mixed 80/20 load (its Zipf hot sets of ids and search words, fresh bids,
PATCHes of the client's own projects) in steps of 0.25x, 0.5x, 0.75x, 1x, 1.5x, 2x, 2.5x,
3x, 4x the rate (default 500 req/s), each step `duration` long (default 20 s), stopping at
the first step that breaks SLO-1/2/3 or that the generator cannot drive reliably. Reports
the highest passing rate (the knee). Threshold: knee >= 2x the target peak (SLO-13;
the target peak is 1,000 req/s, SLO-4, unless --target-peak says otherwise).
"""

from __future__ import annotations

from mercenary_perf.generator import Flow
from mercenary_perf.scenarios.actions import READ_WRITE_GROUPS, mix, prepare, read_one, write_one
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.scenarios.mixed import THRESHOLDS
from mercenary_perf.shapes import constant
from mercenary_perf.slo import Threshold

FACTORS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
TARGET_PEAK = 1000.0
STEP_THRESHOLDS = THRESHOLDS  # what each step must pass


async def setup(ctx: Context) -> Flow:
    """Same mix as `mixed`."""
    pool = await prepare(ctx)
    return mix(pool, [(80, read_one(pool)), (20, write_one(pool))])


SCENARIO = Scenario(
    name="stress",
    traffic=__doc__ or "",
    requirements=("SLO-13", "SLO-1", "SLO-2", "SLO-3"),
    setup=setup,
    shape=constant,
    rate=500,
    duration_s=20,
    thresholds=(Threshold("SLO-13", "knee_rps", ">=", 2 * TARGET_PEAK, "extra", "req/s"),),
    groups=READ_WRITE_GROUPS,
    kind="stress",
)
