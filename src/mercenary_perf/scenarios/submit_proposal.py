"""submit-proposal: a freelancer logs in, then bids on an open project (000 §6, SLO-6).

Traffic: 10 flows/s (logins hash with argon2id on purpose, so they are the costly part);
each flow POSTs /auth/login for a seeded freelancer, then POSTs a proposal to a random
open seeded project with an Idempotency-Key. Thresholds: whole flow p95 < 700 ms (SLO-6);
the create p95 < 500, p99 < 800 (SLO-2); errors < 0.1 % (SLO-3).
"""

from __future__ import annotations

import uuid

from mercenary_perf.generator import Flow, Session
from mercenary_perf.scenarios.actions import login_step, prepare
from mercenary_perf.scenarios.base import Context, Scenario, bearer
from mercenary_perf.shapes import constant
from mercenary_perf.slo import error_rate, p95, p99

CREATE = "POST /api/v1/projects/{id}/proposals"


async def setup(ctx: Context) -> Flow:
    """Sample freelancers' emails and open projects."""
    pool = await prepare(ctx, logins=0)
    emails = [str(u["email"]) for u in ctx.dataset.users_with_role("freelancer")] or pool.emails

    async def flow(s: Session) -> None:
        resp = await login_step(pool, s, pool.rng.choice(emails) if emails else None)
        token = resp.data.get("access_token") if resp.ok and isinstance(resp.data, dict) else None
        if token:
            body = {
                "cover_letter": "I have done this before and can start now.",
                "price": pool.rng.randint(100, 5000),
            }
            headers = {**bearer(token), "Idempotency-Key": str(uuid.uuid4())}
            path = f"/api/v1/projects/{pool.project_id()}/proposals"
            await s.request(CREATE, "POST", path, json=body, headers=headers)
        s.finish_flow("submit-proposal")

    return flow


SCENARIO = Scenario(
    name="submit-proposal",
    traffic=__doc__ or "",
    requirements=("SLO-6", "SLO-2", "SLO-3"),
    setup=setup,
    shape=constant,
    rate=10,
    duration_s=60,
    thresholds=(
        p95(700, "SLO-6", "flow:submit-proposal"),
        p95(500, "SLO-2", CREATE),
        p99(800, "SLO-2", CREATE),
        error_rate(0.001, "SLO-3"),
    ),
)
