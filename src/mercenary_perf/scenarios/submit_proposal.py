"""submit-proposal: a freelancer logs in, then bids on an open project (000 §6, SLO-6).

Traffic: 10 flows/s (logins hash with argon2id on purpose, so they are the costly part);
each flow POSTs /auth/login for a sampled seeded freelancer, then POSTs a proposal with an
Idempotency-Key to an open project that freelancer has no live proposal on: the pair is drawn
from the sample (the freelancer uniformly, the project from the sampled open ones with Zipf's
law, s = 1, so popular projects get more bids) and remembered, so no bid of the run is a 409
duplicate. Thresholds: whole flow p95 < 700 ms (SLO-6); the create p95 < 500, p99 < 800
(SLO-2); errors < 0.1 % (SLO-3).
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
    """Sample freelancers and, for each, the open projects they have not bid on."""
    pool = await prepare(ctx, logins=0)
    freelancers = {int(u["id"]): str(u["email"]) for u in ctx.dataset.users_with_role("freelancer")}

    async def flow(s: Session) -> None:
        pair = pool.bids.pick(pool.rng, list(freelancers))
        if pair is None:  # every sampled freelancer has bid on every sampled open project
            if not pool.bids.exhausted:
                ctx.notes.append("no fresh (freelancer, open project) pair left: flows stop after the login")
            pool.bids.exhausted += 1
        resp = await login_step(pool, s, freelancers[pair[0]] if pair else None)
        token = resp.data.get("access_token") if resp.ok and isinstance(resp.data, dict) else None
        if token and pair:
            body = {
                "cover_letter": "I have done this before and can start now.",
                "price": pool.rng.randint(100, 5000),
            }
            headers = {**bearer(token), "Idempotency-Key": str(uuid.uuid4())}
            await s.request(
                CREATE, "POST", f"/api/v1/projects/{pair[1]}/proposals", json=body, headers=headers
            )
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
