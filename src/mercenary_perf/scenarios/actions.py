"""Reusable steps of the marketplace traffic, named by route template so reports group them."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mercenary_perf.data import SEED_PASSWORD
from mercenary_perf.generator import Flow, Session
from mercenary_perf.scenarios.base import Context, bearer

Action = Callable[[Session], Awaitable[None]]

READ_ENDPOINTS = (
    "GET /api/v1/projects",
    "GET /api/v1/projects/{id}",
    "GET /api/v1/users/me",
    "GET /api/v1/skills",
    "GET /api/v1/users/{id}/rating",
    "GET /api/v1/search/projects",
    "GET /api/v1/proposals",
)
WRITE_ENDPOINTS = (
    "POST /api/v1/projects",
    "PATCH /api/v1/projects/{id}",
    "POST /api/v1/projects/{id}/proposals",
    "POST /api/v1/auth/login",
)
READ_WRITE_GROUPS = {"read": READ_ENDPOINTS, "write": WRITE_ENDPOINTS}


@dataclass
class Pool:
    """Tokens and ids prepared in setup; every choice is random over the seeded sample."""

    rng: random.Random
    clients: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    freelancers: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    project_ids: list[Any] = field(default_factory=list)
    user_ids: list[Any] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    def token(self) -> str | None:
        """A token of any prepared user."""
        both = self.clients + self.freelancers
        return self.rng.choice(both)[1] if both else None

    def client_token(self) -> str | None:
        """A client's token (falls back to any user)."""
        return self.rng.choice(self.clients)[1] if self.clients else self.token()

    def freelancer_token(self) -> str | None:
        """A freelancer's token (falls back to any user)."""
        return self.rng.choice(self.freelancers)[1] if self.freelancers else self.token()

    def project_id(self) -> Any:
        """A seeded project id (1 when the sample is empty, so the 404 shows in the report)."""
        return self.rng.choice(self.project_ids) if self.project_ids else 1

    def skill_filter(self) -> dict[str, str]:
        """Sometimes a skills filter, mostly none, like real browsing."""
        if self.skills and self.rng.random() < 0.3:
            return {"skills": self.rng.choice(self.skills)}
        return {}


async def prepare(ctx: Context, logins: int = 20) -> Pool:
    """Log in a mix of clients and freelancers and sample ids for the flows."""
    ds = ctx.dataset
    pool = Pool(ctx.rng)
    pool.clients = await ctx.tokens(logins // 2, "client")
    pool.freelancers = await ctx.tokens(logins - logins // 2, "freelancer")
    pool.project_ids = [p["id"] for p in (ds.open_projects() or ds.projects)]
    pool.user_ids = [u["id"] for u in ds.users]
    pool.skills = [str(s["slug"]) for s in ds.skills]
    pool.emails = [str(u["email"]) for u in ds.users]
    if not ds.users:
        ctx.notes.append("no seeded users found: authenticated requests will be sent without a token")
    return pool


def browse(pool: Pool, max_pages: int = 3) -> Action:
    """List open projects, then follow ``next_cursor`` for a few pages (000 §6)."""

    async def run(s: Session) -> None:
        params = {"status": "open", "limit": "20", **pool.skill_filter()}
        auth = bearer(pool.token())
        resp = await s.request("GET /api/v1/projects", "GET", "/api/v1/projects", params=params, headers=auth)
        for _ in range(pool.rng.randint(1, max_pages) - 1):
            cursor = resp.data.get("next_cursor") if resp.ok and isinstance(resp.data, dict) else None
            if not cursor:
                break
            resp = await s.request(
                "GET /api/v1/projects",
                "GET",
                "/api/v1/projects",
                params={**params, "cursor": cursor},
                headers=auth,
            )
        s.finish_flow("browse")

    return run


def read_one(pool: Pool) -> Action:
    """One read picked from the read mix."""

    async def run(s: Session) -> None:
        auth = bearer(pool.token())
        r = pool.rng.random()
        if r < 0.35:
            pid = pool.project_id()
            await s.request("GET /api/v1/projects/{id}", "GET", f"/api/v1/projects/{pid}", headers=auth)
        elif r < 0.6:
            await s.request(
                "GET /api/v1/projects", "GET", "/api/v1/projects", params={"limit": "20"}, headers=auth
            )
        elif r < 0.75:
            await s.request("GET /api/v1/users/me", "GET", "/api/v1/users/me", headers=auth)
        elif r < 0.83:
            await s.request("GET /api/v1/skills", "GET", "/api/v1/skills", headers=auth)
        elif r < 0.9:
            uid = pool.rng.choice(pool.user_ids) if pool.user_ids else 1
            await s.request(
                "GET /api/v1/users/{id}/rating", "GET", f"/api/v1/users/{uid}/rating", headers=auth
            )
        elif r < 0.96:
            q = {"q": pool.rng.choice(("python", "design", "data", "api", "mobile")), **pool.skill_filter()}
            await s.request(
                "GET /api/v1/search/projects", "GET", "/api/v1/search/projects", params=q, headers=auth
            )
        else:
            await s.request(
                "GET /api/v1/proposals", "GET", "/api/v1/proposals", headers=bearer(pool.freelancer_token())
            )

    return run


def write_one(pool: Pool, idempotent: bool = True) -> Action:
    """One write picked from the write mix; POSTs carry an Idempotency-Key."""

    async def run(s: Session) -> None:
        key = {"Idempotency-Key": str(uuid.uuid4())} if idempotent else {}
        r = pool.rng.random()
        n = pool.rng.randint(1, 10**9)
        if r < 0.45:
            body = {
                "cover_letter": f"I can deliver this quickly (load test {n}).",
                "price": pool.rng.randint(100, 5000),
            }
            pid = pool.project_id()
            auth = {**bearer(pool.freelancer_token()), **key}
            path = f"/api/v1/projects/{pid}/proposals"
            await s.request("POST /api/v1/projects/{id}/proposals", "POST", path, json=body, headers=auth)
        elif r < 0.8:
            skills = pool.rng.sample(pool.skills, min(3, len(pool.skills)))
            body = {
                "title": f"Load test project {n}",
                "description": "A project posted by the load harness to measure writes.",
                "budget": pool.rng.randint(500, 20000),
                "skills": skills,
                "status": "open",
            }
            auth = {**bearer(pool.client_token()), **key}
            await s.request("POST /api/v1/projects", "POST", "/api/v1/projects", json=body, headers=auth)
        else:
            pid = pool.project_id()
            body = {"budget": pool.rng.randint(500, 20000)}
            auth = bearer(pool.client_token())
            await s.request(
                "PATCH /api/v1/projects/{id}", "PATCH", f"/api/v1/projects/{pid}", json=body, headers=auth
            )

    return run


def login_step(pool: Pool, s: Session, email: str | None = None) -> Awaitable[Any]:
    """POST /auth/login for a seeded user (a random one unless ``email`` is given)."""
    chosen = email or (pool.rng.choice(pool.emails) if pool.emails else "nobody@example.invalid")
    body = {"email": chosen, "password": SEED_PASSWORD}
    return s.request("POST /api/v1/auth/login", "POST", "/api/v1/auth/login", json=body)


def mix(pool: Pool, weighted: list[tuple[float, Action]]) -> Flow:
    """A flow choosing one action per arrival by weight."""
    weights = [w for w, _ in weighted]
    actions = [a for _, a in weighted]

    async def flow(s: Session) -> None:
        await pool.rng.choices(actions, weights)[0](s)

    return flow
