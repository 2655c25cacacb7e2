"""smoke: the CI gate (PERF-3, 002 §4.1).

Traffic: ~50 req/s for ~25 s; GET /health, GET /api/v1/skills (when the route exists),
GET /api/v1/users/me and GET /api/v1/users with tokens of seeded users, and a trickle
of real logins (2 %). Thresholds: p95 < 300 ms and errors < 1 % overall.
"""

from __future__ import annotations

from mercenary_perf.generator import Flow, Session
from mercenary_perf.scenarios.actions import login_step, prepare
from mercenary_perf.scenarios.base import Context, Scenario, bearer
from mercenary_perf.shapes import constant
from mercenary_perf.slo import error_rate, p95


async def setup(ctx: Context) -> Flow:
    """Log in a few seeded users; include /skills only if the route answers."""
    pool = await prepare(ctx, logins=6)
    with_skills = await ctx.probe("/api/v1/skills", pool.token()) not in (404, 405, None)
    if not with_skills:
        ctx.notes.append("GET /api/v1/skills is not served yet: left out of the smoke mix")

    async def flow(s: Session) -> None:
        r = pool.rng.random()
        token = pool.token()
        if r < 0.02 and pool.emails:
            await login_step(pool, s)
        elif r < 0.3 or token is None:
            await s.request("GET /health", "GET", "/health")
        elif r < 0.5 and with_skills:
            await s.request("GET /api/v1/skills", "GET", "/api/v1/skills", headers=bearer(token))
        elif r < 0.75:
            await s.request("GET /api/v1/users/me", "GET", "/api/v1/users/me", headers=bearer(token))
        else:
            await s.request("GET /api/v1/users", "GET", "/api/v1/users", headers=bearer(token))

    return flow


SCENARIO = Scenario(
    name="smoke",
    traffic=__doc__ or "",
    requirements=("PERF-3",),
    setup=setup,
    shape=constant,
    rate=50,
    duration_s=25,
    thresholds=(p95(300, "PERF-3"), error_rate(0.01, "PERF-3")),
)
