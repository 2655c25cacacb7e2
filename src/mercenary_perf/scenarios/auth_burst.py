"""auth-burst: 20 concurrent logins of distinct seeded users (000 §6, SLO-6).

Traffic: one burst of ``rate`` (default 20) logins all intended at the same instant.
Threshold: fewer than 2 of them fail (any non-2xx or transport error) (SLO-6).
"""

from __future__ import annotations

from mercenary_perf.generator import Flow, Session
from mercenary_perf.scenarios.actions import login_step, prepare
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import Shape, burst
from mercenary_perf.slo import Threshold

LOGIN = "POST /api/v1/auth/login"


async def setup(ctx: Context) -> Flow:
    """Hand each arrival a different seeded user, in turn."""
    pool = await prepare(ctx, logins=0)
    emails = list(pool.emails)
    pool.rng.shuffle(emails)
    it = iter(emails)

    async def flow(s: Session) -> None:
        await login_step(pool, s, next(it, None))

    return flow


def shape(rate: float, duration_s: float) -> Shape:
    """A single burst of ``rate`` logins."""
    return burst(int(rate))


SCENARIO = Scenario(
    name="auth-burst",
    traffic=__doc__ or "",
    requirements=("SLO-6",),
    setup=setup,
    shape=shape,
    rate=20,
    duration_s=1,
    thresholds=(Threshold("SLO-6", "failures", "<", 2, LOGIN),),
)
