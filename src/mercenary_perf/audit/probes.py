"""Statements per request, measured one request at a time (the N+1 check of 002 §2.1).

After the scenarios, the audit starts the service once more on a fresh copy of the dataset and
sends each probe alone: nothing else runs, so the ``pg_stat_statements`` calls gained between the
snapshots before and after it are exactly the statements that request cost. Each probe runs
:data:`REPEATS` times (the first may fill a cache, the later ones read it). A list endpoint is
probed at two page sizes: statements that grow with the page are an N+1, whatever the code looks
like. ``auto_explain`` is on during the pass, so every statement's plan is logged with the real
parameters of a real request.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from mercenary_perf.audit.statements import Audited
from mercenary_perf.data import load_dataset
from mercenary_perf.scenarios.actions import Pool, prepare
from mercenary_perf.scenarios.base import Context, Options, bearer

REPEATS = 3
SMALL_PAGE, LARGE_PAGE = 5, 50
# Statements a large page may cost beyond a small one before the endpoint is called an N+1: one
# per extra batch-loaded relation is fine, one per row is not (45 more rows here).
N_PLUS_ONE_EXTRA = 5


@dataclass
class Probe:
    """One request the pass sends: endpoint name (as the scenarios name it), method, path, body."""

    endpoint: str
    method: str
    path: str
    token: str | None
    params: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    page: int | None = None  # the page size asked for, on list endpoints


@dataclass
class Probed:
    """What one probe cost, per repeat."""

    probe: Probe
    statuses: list[int]
    statements: list[int]
    bytes: list[int]
    items: int | None  # rows in the answer's page, on list endpoints

    def row(self) -> dict[str, Any]:
        return {
            "endpoint": self.probe.endpoint,
            "method": self.probe.method,
            "path": self.probe.path,
            "params": self.probe.params,
            "page": self.probe.page,
            "items": self.items,
            "statuses": self.statuses,
            "statements": self.statements,
            "first": self.statements[0] if self.statements else None,
            "warm": min(self.statements[1:] or self.statements or [0]),
            "max": max(self.statements or [0]),
            "response_kb": round(max(self.bytes or [0]) / 1024, 2),
        }


def probes(pool: Pool) -> list[Probe]:
    """The read endpoints of the scenarios (list endpoints at two page sizes) and one of each write."""
    any_user, client, freelancer = pool.token(), pool.client_token(), pool.freelancer_token()
    project = pool.project_id()
    rater = pool.raters.draw(pool.rng) or (pool.user_ids[0] if pool.user_ids else 1)
    word = pool.search.ranked[0] if pool.search.ranked else "python"
    out = [
        Probe("GET /api/v1/projects/{id}", "GET", f"/api/v1/projects/{project}", any_user),
        Probe("GET /api/v1/users/me", "GET", "/api/v1/users/me", any_user),
        Probe("GET /api/v1/skills", "GET", "/api/v1/skills", any_user),
        Probe("GET /api/v1/users/{id}/rating", "GET", f"/api/v1/users/{rater}/rating", any_user),
    ]
    lists = [
        ("GET /api/v1/projects", "/api/v1/projects", any_user, {"status": "open"}),
        (
            "GET /api/v1/projects?include",
            "/api/v1/projects",
            any_user,
            {"status": "open", "include": "skills,owner,proposal_count"},
        ),
        ("GET /api/v1/search/projects", "/api/v1/search/projects", any_user, {"q": word}),
        ("GET /api/v1/proposals", "/api/v1/proposals", freelancer, {}),
    ]
    for endpoint, path, token, params in lists:
        for page in (SMALL_PAGE, LARGE_PAGE):
            out.append(Probe(endpoint, "GET", path, token, {**params, "limit": str(page)}, page=page))
    bid_token, bid_project = pool.bid()
    out.append(
        Probe(
            "POST /api/v1/projects/{id}/proposals",
            "POST",
            f"/api/v1/projects/{bid_project}/proposals",
            bid_token,
            body={"cover_letter": "I can deliver this quickly (audit probe).", "price": 1200},
        )
    )
    out.append(Probe("POST /api/v1/projects", "POST", "/api/v1/projects", client, body=pool.new_project(1)))
    edit_token, edit_project = pool.edit()
    out.append(
        Probe(
            "PATCH /api/v1/projects/{id}",
            "PATCH",
            f"/api/v1/projects/{edit_project}",
            edit_token,
            body={"budget": 4321},
        )
    )
    return out


def _items(data: Any) -> int | None:
    if isinstance(data, dict):
        for key in ("items", "data", "results"):
            if isinstance(data.get(key), list):
                return len(data[key])
    return len(data) if isinstance(data, list) else None


async def run_probes(base_url: str, db_url: str, pg: Audited, database: str, seed: int) -> list[Probed]:
    """Log a few users in, then send every probe :data:`REPEATS` times, one request at a time."""
    dataset = await load_dataset(db_url)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url, timeout=timeout) as http:
        ctx = Context(Options(base_url, db_url=db_url, seed=seed), dataset, http, random.Random(seed))
        pool = await prepare(ctx, logins=4)
        out = []
        for probe in probes(pool):
            statuses, statements, sizes, items = [], [], [], None
            for repeat in range(REPEATS if probe.method == "GET" else 1):
                headers = bearer(probe.token)
                if probe.method == "POST":
                    headers["Idempotency-Key"] = str(uuid.uuid4())
                before = pg.calls(database)
                async with http.request(
                    probe.method, probe.path, params=probe.params, json=probe.body, headers=headers
                ) as resp:
                    body = await resp.read()
                    statuses.append(resp.status)
                    if repeat == 0 and resp.status == 200 and probe.page is not None:
                        items = _items(await resp.json(content_type=None))
                statements.append(pg.calls(database) - before)
                sizes.append(len(body))
            out.append(Probed(probe, statuses, statements, sizes, items))
    return out


def n_plus_one(probed: list[Probed]) -> list[dict[str, Any]]:
    """List endpoints whose statements grow with the page: (endpoint, small, large, extra)."""
    by_endpoint: dict[str, dict[int, Probed]] = {}
    for p in probed:
        if p.probe.page is not None:
            by_endpoint.setdefault(p.probe.endpoint, {})[p.probe.page] = p
    found = []
    for endpoint, pages in sorted(by_endpoint.items()):
        small, large = pages.get(SMALL_PAGE), pages.get(LARGE_PAGE)
        if small is None or large is None or not small.statements or not large.statements:
            continue
        extra = large.statements[0] - small.statements[0]
        found.append(
            {
                "endpoint": endpoint,
                "small_page": {"limit": SMALL_PAGE, "items": small.items, "statements": small.statements[0]},
                "large_page": {"limit": LARGE_PAGE, "items": large.items, "statements": large.statements[0]},
                "extra_statements": extra,
                "n_plus_one": extra >= N_PLUS_ONE_EXTRA,
            }
        )
    return found
