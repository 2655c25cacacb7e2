"""Reusable steps of the marketplace traffic, named by route template so reports group them."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mercenary_perf.data import SEED_PASSWORD
from mercenary_perf.generator import Flow, Session
from mercenary_perf.sampling import FALLBACK_WORDS, HotSet, SearchTerms
from mercenary_perf.scenarios.base import Context, bearer
from mercenary_perf.scenarios.renewal import Renewer

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


class Bids:
    """Which open project a freelancer bids on next: one where they have no live proposal.

    It starts from the live proposals the sample found for each freelancer and remembers every bid
    sent this run, so a proposal is a real write, not a 409 duplicate. Projects are drawn from the
    open ones with Zipf's law (popular projects get more bids).
    """

    def __init__(self, open_ids: HotSet[int], live: dict[int, set[int]]) -> None:
        self.open = open_ids
        self.live = {k: set(v) for k, v in live.items()}
        self.exhausted = 0  # bids sent although no fresh pair was left (each shows as a 409)

    def target(self, rng: random.Random, freelancer_id: int) -> int | None:
        """An open project ``freelancer_id`` has not bid on (now marked as bid on), or None."""
        taken = self.live.setdefault(freelancer_id, set())
        for _ in range(16):
            pid = self.open.draw(rng)
            if pid is None:
                return None
            if pid not in taken:
                taken.add(pid)
                return pid
        free = [p for p in self.open.items if p not in taken]
        if not free:
            return None
        pid = rng.choice(free)
        taken.add(pid)
        return pid

    def pick(self, rng: random.Random, freelancer_ids: list[int]) -> tuple[int, int] | None:
        """A (freelancer, project) pair never bid on, trying the freelancers in a random order."""
        for fid in rng.sample(freelancer_ids, len(freelancer_ids)):
            pid = self.target(rng, fid)
            if pid is not None:
                return fid, pid
        return None


@dataclass
class Pool:
    """Tokens and ids prepared in setup, and the skewed choices of the traffic (see ``sampling``)."""

    rng: random.Random
    clients: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    freelancers: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    user_ids: list[Any] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    projects: HotSet[int] = field(default_factory=lambda: HotSet([], random.Random(0)))
    raters: HotSet[Any] = field(default_factory=lambda: HotSet([], random.Random(0)))
    search: SearchTerms = field(default_factory=lambda: SearchTerms([], random.Random(0)))
    bids: Bids = field(default_factory=lambda: Bids(HotSet([], random.Random(0)), {}))
    editable: dict[int, list[int]] = field(default_factory=dict)
    texts: list[dict[str, Any]] = field(default_factory=list)
    renewer: Renewer | None = None  # keeps the tokens valid through a long run (renewal.py)

    def _fresh(self) -> None:
        if self.renewer is not None:
            self.renewer.poke(self.clients, self.freelancers)

    def token(self) -> str | None:
        """A token of any prepared user."""
        self._fresh()
        both = self.clients + self.freelancers
        return self.rng.choice(both)[1] if both else None

    def client_token(self) -> str | None:
        """A client's token (falls back to any user)."""
        self._fresh()
        return self.rng.choice(self.clients)[1] if self.clients else self.token()

    def freelancer_token(self) -> str | None:
        """A freelancer's token (falls back to any user)."""
        self._fresh()
        return self.rng.choice(self.freelancers)[1] if self.freelancers else self.token()

    def client(self) -> tuple[dict[str, Any], str | None]:
        """A prepared client and their token (no user, any token, when there is none)."""
        self._fresh()
        return self.rng.choice(self.clients) if self.clients else ({}, self.token())

    def project_id(self) -> Any:
        """A public project id from the hot set (1 when there is none, so the 404 shows in the report)."""
        pid = self.projects.draw(self.rng)
        return 1 if pid is None else pid

    def skill_filter(self) -> dict[str, str]:
        """Sometimes a skills filter, mostly none, like real browsing."""
        if self.skills and self.rng.random() < 0.3:
            return {"skills": self.rng.choice(self.skills)}
        return {}

    def bid(self) -> tuple[str | None, Any]:
        """A logged-in freelancer's token and an open project they have no live proposal on.

        When no such pair is left (a long run on a tiny dataset) a random pair is sent anyway, so the
        409 shows in the report, and the notes say why."""
        self._fresh()
        by_id = {u["id"]: token for u, token in self.freelancers}
        pair = self.bids.pick(self.rng, list(by_id))
        if pair is not None:
            return by_id[pair[0]], pair[1]
        if not self.bids.exhausted:
            self.notes.append(
                "no fresh (freelancer, open project) pair left: later proposals are duplicates (409)"
            )
        self.bids.exhausted += 1
        return self.freelancer_token(), self.project_id()

    def edit(self) -> tuple[str | None, Any]:
        """A logged-in client's token and a draft or open project of their own organization."""
        self._fresh()
        editors = [(u, token) for u, token in self.clients if self.editable.get(u["tenant_id"])]
        if not editors:
            return self.client_token(), self.project_id()  # the 404 shows in the report
        user, token = self.rng.choice(editors)
        return token, self.rng.choice(self.editable[user["tenant_id"]])

    def new_project(self, n: int) -> dict[str, Any]:
        """The body of a project to post: the title, text and skills of a sampled open project (so the
        search vocabulary stays the dataset's), else a plain text saying what it is."""
        if self.texts:
            t = self.rng.choice(self.texts)
            title, description, skills = str(t["title"]), str(t["description"]), list(t.get("skills") or [])
        else:
            title = f"Load test project {n}"
            description = "A project posted by the load harness to measure writes."
            skills = self.rng.sample(self.skills, min(3, len(self.skills)))
        return {
            "title": title,
            "description": description,
            "budget": self.rng.randint(500, 20000),
            "skills": skills,
            "status": "open",
        }

    def posted(self, tenant_id: Any, data: Any) -> None:
        """Remember a project posted this run: its organization may edit it, and freelancers bid on it."""
        if not isinstance(data, dict) or "id" not in data:
            return
        self.editable.setdefault(tenant_id, []).append(data["id"])
        if data.get("status") == "open":
            self.bids.open.add(data["id"])


async def prepare(ctx: Context, logins: int = 20) -> Pool:
    """Log in a mix of clients and freelancers and build the skewed choices from the sample."""
    ds = ctx.dataset
    rng = ctx.rng
    pool = Pool(rng, notes=ctx.notes)
    pool.clients = await ctx.tokens(logins // 2, "client")
    pool.freelancers = await ctx.tokens(logins - logins // 2, "freelancer")
    if ctx.refresh_tokens and ctx.expires_in_s:
        pool.renewer = Renewer(
            ctx.options.base_url, ctx.refresh_tokens, ctx.expires_in_s, ctx.options.timeout_s, ctx.notes
        )
    pool.user_ids = [u["id"] for u in ds.users]
    pool.skills = [str(s["slug"]) for s in ds.skills]
    pool.emails = [str(u["email"]) for u in ds.users]
    public = ds.public_ids or [p["id"] for p in (ds.open_projects() or ds.projects)]
    pool.projects = HotSet(sorted(public), rng)
    # Ratings of freelancers: anyone may see them, while a client's rating is only for those with a
    # reason to see the client (a random caller would get the 404 of a hidden user).
    raters = [u["id"] for u in ds.users_with_role("freelancer")] or pool.user_ids
    pool.raters = HotSet(sorted(raters), rng)
    pool.search = SearchTerms(ds.texts, rng)
    open_ids = {p["id"] for p in ds.open_projects()} | {t["id"] for t in ds.texts}
    pool.bids = Bids(HotSet(sorted(open_ids), rng), ds.live_bids)
    pool.editable = {k: list(v) for k, v in ds.editable.items()}
    pool.texts = ds.texts
    if not ds.users:
        ctx.notes.append("no seeded users found: authenticated requests will be sent without a token")
    if not pool.search.from_project_text:
        ctx.notes.append(f"no project text sampled: searches use only {', '.join(FALLBACK_WORDS)}")
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
            uid = pool.raters.draw(pool.rng) or 1
            await s.request(
                "GET /api/v1/users/{id}/rating", "GET", f"/api/v1/users/{uid}/rating", headers=auth
            )
        elif r < 0.96:
            q = pool.search.query(pool.rng)
            await s.request(
                "GET /api/v1/search/projects", "GET", "/api/v1/search/projects", params=q, headers=auth
            )
        else:
            await s.request(
                "GET /api/v1/proposals", "GET", "/api/v1/proposals", headers=bearer(pool.freelancer_token())
            )

    return run


def write_one(pool: Pool, idempotent: bool = True) -> Action:
    """One write picked from the write mix; POSTs carry an Idempotency-Key. Every write is meant to
    succeed: a bid goes to an open project the freelancer has no live proposal on, a PATCH to a draft or
    open project of the client's own organization, and a posted project joins both pools."""

    async def run(s: Session) -> None:
        key = {"Idempotency-Key": str(uuid.uuid4())} if idempotent else {}
        r = pool.rng.random()
        n = pool.rng.randint(1, 10**9)
        if r < 0.45:
            body = {
                "cover_letter": f"I can deliver this quickly (load test {n}).",
                "price": pool.rng.randint(100, 5000),
            }
            token, pid = pool.bid()
            path = f"/api/v1/projects/{pid}/proposals"
            await s.request(
                "POST /api/v1/projects/{id}/proposals",
                "POST",
                path,
                json=body,
                headers={**bearer(token), **key},
            )
        elif r < 0.8:
            body = pool.new_project(n)
            user, token = pool.client()
            resp = await s.request(
                "POST /api/v1/projects",
                "POST",
                "/api/v1/projects",
                json=body,
                headers={**bearer(token), **key},
            )
            if resp.ok:
                pool.posted(user.get("tenant_id"), resp.data)
        else:
            token, pid = pool.edit()
            body = {"budget": pool.rng.randint(500, 20000)}
            await s.request(
                "PATCH /api/v1/projects/{id}",
                "PATCH",
                f"/api/v1/projects/{pid}",
                json=body,
                headers=bearer(token),
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
