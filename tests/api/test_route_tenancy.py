"""No caller reaches another organization's or another freelancer's objects (SEC-1), on every route.

One organization (a client, Alice) posts a draft, an open and a closed project; a freelancer (Fred)
bids on the open one and is hired on the closed one, and the two review each other. Then two
outsiders, another organization's client (Mallory) and another freelancer (Eve), send every verb of
every route at those objects: each gets the 404 of a missing object (or the documented 403 of a role
that may never do it), no list or body shows what is not theirs, and the database is the same row
for row afterwards. The routes come from ``app.routes``: a new endpoint without a probe here, or a
probe for a route that no longer exists, fails ``test_every_route_is_probed``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.app import create_app
from mercenary.schema import metadata
from tests.api.catalog import admin_headers
from tests.api.helpers import bearer, signup
from tests.conftest import make_settings
from tests.support import samples

API = "/api/v1"
BID = "I can do this."
OUTSIDERS = ("client", "freelancer")  # Mallory (another organization's client) and Eve


@dataclass(frozen=True)
class Probe:
    """One request an outsider sends; ``url`` and ``json`` name the world's objects as ``{key}``."""

    method: str
    route: str  # the route's path template, as the app declares it
    url: str
    client: int  # the status another organization's client gets
    freelancer: int  # the status another freelancer gets
    json: Any = None
    hidden: tuple[str, ...] = ()  # objects whose ids must not be among a list's items
    code: str | None = None  # the problem's code (a batch's: its item's)
    page: bool = False  # a page: sent with the outsider's session cookies, ``json`` as a CSRF-checked form
    unseen: tuple[str, ...] = ()  # text a page must not show


# Routes with no object of one tenant to reach, and why.
UNSCOPED = {
    ("GET", "/health"): "liveness, no data",
    ("GET", "/ready"): "readiness, no data",
    ("GET", "/openapi.json"): "the published document",
    ("GET", "/docs"): "the documentation page",
    ("GET", "/docs/oauth2-redirect"): "part of the documentation page",
    ("GET", "/redoc"): "the documentation page",
    ("GET", "/metrics"): "aggregate counters by route template, no tenant's data (docs/observability.md)",
    ("POST", f"{API}/auth/signup"): "creates the caller's own account (an organization's code is its proof)",
    ("POST", f"{API}/auth/login"): "a password proves itself (tests/api/test_auth.py)",
    ("POST", f"{API}/auth/refresh"): "a refresh token proves itself (tests/api/test_auth.py)",
    ("POST", f"{API}/auth/logout"): "a refresh token proves itself (tests/api/test_auth.py)",
    (
        "POST",
        f"{API}/freelancers/me/cv",
    ): "adds a version to the caller's own CV (a client's 403: test_cvs.py)",
    ("GET", "/login"): "the log-in form",
    ("POST", "/login"): "a password proves itself (tests/pages/test_flows.py)",
    ("GET", "/signup"): "the sign-up form",
    ("POST", "/signup"): "creates the caller's own account (tests/pages/test_flows.py)",
    ("POST", "/logout"): "ends the caller's own session (tests/pages/test_sessions.py)",
    ("GET", "/projects/new"): "the form to post a project",
    (
        "POST",
        "/projects/new",
    ): "posts a project for the caller's own organization (tests/pages/test_flows.py)",
    ("GET", "/static/{name}"): "the pages' static files, the same for everyone",
    (
        "POST",
        "/rum",
    ): "web-vitals into aggregate histograms by route, no tenant's data (tests/pages/test_rum.py)",
}
P, U, S, R = f"{API}/projects", f"{API}/users", f"{API}/skills", f"{API}/proposals"
C = f"{API}/cvs"
PROBES = [
    # Projects: drafts are their organization's; open and closed ones are public but not writable.
    # A body naming a tenant is refused before anything else (unknown fields are a 422).
    Probe(
        "POST", P, P, 422, 422, {"title": "Planted", "description": "d", "budget": 1, "tenant_id": "{tenant}"}
    ),
    Probe("GET", P, f"{P}?scope=market", 200, 200, hidden=("draft",)),
    Probe("GET", P, f"{P}?scope=mine", 200, 200, hidden=("draft", "open", "closed")),
    # A batch answers 422 batch_invalid with the 404's code (project_not_found) for the item.
    Probe(
        "PATCH",
        P,
        P,
        422,
        403,
        {"items": [{"id": "{draft}", "title": "Taken over"}]},
        code="project_not_found",
    ),
    Probe(
        "PATCH",
        P,
        P,
        422,
        403,
        {"items": [{"id": "{open}", "status": "cancelled"}]},
        code="project_not_found",
    ),
    Probe("GET", f"{P}/{{project_id}}", f"{P}/{{draft}}", 404, 404),
    Probe("PATCH", f"{P}/{{project_id}}", f"{P}/{{draft}}", 404, 403, {"title": "Taken over"}),
    Probe("PATCH", f"{P}/{{project_id}}", f"{P}/{{open}}", 404, 403, {"status": "cancelled"}),
    Probe("DELETE", f"{P}/{{project_id}}", f"{P}/{{draft}}", 404, 403),
    Probe("GET", f"{API}/search/projects", f"{API}/search/projects?q=zebra", 200, 200, hidden=("draft",)),
    # Users: Alice is no one the outsiders have a reason to see.
    Probe("GET", f"{U}/me", f"{U}/me", 200, 200),
    Probe("GET", U, U, 200, 200, hidden=("alice",)),
    Probe("GET", f"{U}/{{user_id}}", f"{U}/{{alice}}", 404, 404),
    Probe("GET", f"{U}/{{user_id}}/reviews", f"{U}/{{alice}}/reviews", 404, 404),
    Probe("GET", f"{U}/{{user_id}}/rating", f"{U}/{{alice}}/rating", 404, 404),
    Probe("GET", f"{API}/organizations/current", f"{API}/organizations/current", 200, 200),
    # Skills are one taxonomy for everyone; only administrators change it.
    Probe("GET", S, S, 200, 200),
    Probe("POST", S, S, 403, 403, {"slug": "planted", "name": "Planted", "category": "X", "aliases": []}),
    Probe("PATCH", f"{S}/{{skill_id}}", f"{S}/{{skill}}", 403, 403, {"name": "Taken over"}),
    Probe("DELETE", f"{S}/{{skill_id}}", f"{S}/{{skill}}", 403, 403),
    # Reviews: only the two parties of a closed project review each other.
    Probe(
        "POST",
        f"{API}/reviews",
        f"{API}/reviews",
        403,
        403,
        {"project_id": "{closed}", "reviewee_id": "{fred}", "rating": 1, "text": "Planted"},
    ),
    Probe(
        "POST",
        f"{API}/reviews",
        f"{API}/reviews",
        403,
        403,
        {"project_id": "{closed}", "reviewee_id": "{alice}", "rating": 1, "text": "Planted"},
    ),
    # Proposals: the project's organization and the proposal's author, no one else.
    Probe(
        "POST",
        f"{P}/{{project_id}}/proposals",
        f"{P}/{{draft}}/proposals",
        403,
        404,
        {"cover_letter": "Planted", "price": 1},
    ),
    Probe("GET", f"{P}/{{project_id}}/proposals", f"{P}/{{open}}/proposals", 200, 200, hidden=("pending",)),
    Probe(
        "GET", f"{P}/{{project_id}}/proposals", f"{P}/{{closed}}/proposals", 200, 200, hidden=("accepted",)
    ),
    Probe("GET", f"{P}/{{project_id}}/proposals", f"{P}/{{draft}}/proposals", 404, 404),
    Probe("GET", R, R, 200, 200, hidden=("pending", "accepted")),
    Probe("GET", f"{R}/{{proposal_id}}", f"{R}/{{pending}}", 404, 404),
    Probe("GET", f"{R}/{{proposal_id}}", f"{R}/{{accepted}}", 404, 404),
    Probe("POST", f"{R}/{{proposal_id}}/accept", f"{R}/{{pending}}/accept", 404, 403),
    Probe("POST", f"{R}/{{proposal_id}}/reject", f"{R}/{{pending}}/reject", 404, 403),
    Probe("POST", f"{R}/{{proposal_id}}/withdraw", f"{R}/{{pending}}/withdraw", 404, 404),
    # Profiles are public; only their freelancer writes one.
    Probe("GET", f"{API}/freelancers/{{user_id}}/profile", f"{API}/freelancers/{{fred}}/profile", 200, 200),
    Probe(
        "PUT",
        f"{API}/freelancers/{{user_id}}/profile",
        f"{API}/freelancers/{{fred}}/profile",
        404,
        404,
        {"headline": "Taken over", "hourly_rate": 1},
    ),
    # A PDF profile is as public as the profile (reading Fred's queues a render, tests/api/
    # test_profile_pdf.py); a client has none to show, whoever asks.
    Probe(
        "GET",
        f"{API}/freelancers/{{user_id}}/profile.pdf",
        f"{API}/freelancers/{{alice}}/profile.pdf",
        404,
        404,
    ),
    Probe("GET", f"{API}/freelancers", f"{API}/freelancers", 200, 200),
    # CVs: their owner's, and the organizations they are shared with (Alice's; not Mallory's).
    Probe("GET", f"{C}/{{cv_id}}", f"{C}/{{cv}}", 404, 404),
    Probe("PUT", f"{C}/{{cv_id}}/shares/{{organization_id}}", f"{C}/{{cv}}/shares/{{tenant}}", 404, 404),
    Probe("DELETE", f"{C}/{{cv_id}}/shares/{{organization_id}}", f"{C}/{{cv}}/shares/{{tenant}}", 404, 404),
    Probe("POST", f"{C}/{{cv_id}}/skills/accept", f"{C}/{{cv}}/skills/accept", 404, 404, {}),
    # Project documents: the organization's, and those with a live proposal on the project (Fred,
    # not Eve). The access check comes before the body is read: no upload reaches storage.
    Probe("POST", f"{P}/{{project_id}}/documents", f"{P}/{{open}}/documents", 404, 403),
    Probe("POST", f"{P}/{{project_id}}/documents", f"{P}/{{draft}}/documents", 404, 403),
    Probe("GET", f"{P}/{{project_id}}/documents", f"{P}/{{open}}/documents", 404, 404),
    Probe("GET", f"{P}/{{project_id}}/documents", f"{P}/{{draft}}/documents", 404, 404),
    Probe(
        "GET",
        f"{P}/{{project_id}}/documents/{{document_id}}",
        f"{P}/{{open}}/documents/{{document}}",
        404,
        404,
    ),
    Probe(
        "DELETE",
        f"{P}/{{project_id}}/documents/{{document_id}}",
        f"{P}/{{open}}/documents/{{document}}",
        404,
        403,
    ),
    Probe("GET", f"{API}/search/freelancers", f"{API}/search/freelancers?q=python", 200, 200),
    # The pages: the same guards through the same services, with a session cookie instead of a token.
    Probe("GET", "/", "/", 200, 200, page=True, unseen=("Zebra migration",)),
    Probe("GET", "/", "/?q=zebra", 200, 200, page=True, unseen=("Zebra migration",)),
    Probe("GET", "/projects/{project_id}", "/projects/{draft}", 404, 404, page=True),
    Probe("GET", "/projects/{project_id}", "/projects/{open}", 200, 200, page=True, unseen=(BID,)),
    Probe("GET", "/projects/{project_id}", "/projects/{closed}", 200, 200, page=True, unseen=(BID,)),
    Probe("GET", "/freelancers/{user_id}", "/freelancers/{alice}", 404, 404, page=True),
    Probe("GET", "/freelancers/{user_id}", "/freelancers/{fred}", 200, 200, page=True),
    # The page's PDF download: a client has no profile to show, whoever asks.
    Probe(
        "GET", "/freelancers/{user_id}/profile.pdf", "/freelancers/{alice}/profile.pdf", 404, 404, page=True
    ),
    Probe(
        "POST",
        "/projects/{project_id}/proposals",
        "/projects/{draft}/proposals",
        403,
        404,
        {"cover_letter": "Planted", "price": "1"},
        page=True,
    ),
    Probe("POST", "/proposals/{proposal_id}/accept", "/proposals/{pending}/accept", 404, 403, {}, page=True),
]


def routes(items: list[Any]) -> Iterator[tuple[str, str]]:
    """Every (verb, path template) the app routes, routers included (HEAD is answered as GET)."""
    for route in items:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            prefix = getattr(route, "include_context", None)
            yield from ((m, f"{getattr(prefix, 'prefix', '')}{p}") for m, p in routes(list(nested.routes)))
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                yield method, route.path


def fill(value: Any, world: dict[str, int]) -> Any:
    """``value`` with every ``"{key}"`` string replaced by the world's id (as a number in a body)."""
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return world[value[1:-1]]
    return value


def test_every_route_is_probed() -> None:
    app = create_app(make_settings("sqlite:///unused.db"))
    declared = set(routes(list(app.routes)))
    probed = {(p.method, p.route) for p in PROBES} | set(UNSCOPED)
    assert declared - probed == set(), "routes without a cross-tenant probe"
    assert probed - declared == set(), "probes for routes the app does not have"
    for probe in PROBES:  # each probe's URL is its route's
        pattern = re.sub(r"\\\{\w+\\\}", r"[^/]+", re.escape(probe.route))
        assert re.fullmatch(pattern, re.sub(r"\{\w+\}", "1", probe.url.split("?")[0])), probe


async def snapshot(app: FastAPI) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    db = app.state.mercenary.db
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for table in metadata.sorted_tables:
        select = sa.select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(r.values()) for r in await db.fetch_all(select)]
    return rows


async def world(
    app: FastAPI, client: httpx.AsyncClient
) -> tuple[dict[str, int], dict[str, dict[str, str]], list[str]]:
    """Alice's organization and Fred's work with it; the outsiders' headers; the secrets of both."""
    admin = await admin_headers(app, client)
    skill = await client.post(
        S, json={"slug": "python", "name": "Python", "category": "Programming", "aliases": []}, headers=admin
    )
    alice = await signup(client, "alice@example.com")
    fred = await signup(client, "fred@example.com", role="freelancer")
    a, f = bearer(alice["access_token"]), bearer(fred["access_token"])
    ids = {"alice": alice["user"]["id"], "fred": fred["user"]["id"], "skill": skill.json()["id"]}
    for key, title, status in (
        ("draft", "Zebra migration", "draft"),
        ("open", "Open work", "open"),
        ("closed", "Done work", "open"),
    ):
        project = {
            "title": title,
            "description": "Secret plans" if status == "draft" else "Public work",
            "budget": 100,
            "status": status,
            "skills": ["python"],
        }
        response = await client.post(P, json=project, headers=a)
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    bid = {"cover_letter": BID, "price": 90}
    for key, target in (("pending", "open"), ("accepted", "closed")):
        response = await client.post(f"{P}/{ids[target]}/proposals", json=bid, headers=f)
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    assert (await client.post(f"{R}/{ids['accepted']}/accept", headers=a)).status_code == 200
    for headers, reviewee in ((a, "fred"), (f, "alice")):
        review = {"project_id": ids["closed"], "reviewee_id": ids[reviewee], "rating": 5, "text": "Great."}
        assert (await client.post(f"{API}/reviews", json=review, headers=headers)).status_code == 201
    profile = {"headline": "Python developer", "hourly_rate": 50, "skills": ["python"]}
    assert (
        await client.put(f"{API}/freelancers/{ids['fred']}/profile", json=profile, headers=f)
    ).status_code == 200
    document = await client.post(
        f"{P}/{ids['open']}/documents", files={"file": ("plans.pdf", samples.pdf("Secret plans"))}, headers=a
    )
    assert document.status_code == 201, document.text
    ids["document"] = document.json()["id"]
    org = (await client.get(f"{API}/organizations/current", headers=a)).json()
    ids["tenant"] = org["id"]
    cv = await client.post(
        f"{API}/freelancers/me/cv",
        files={"file": ("fred-secret-cv.pdf", samples.pdf("Curriculum vitae"))},
        headers=f,
    )
    assert cv.status_code == 202, cv.text
    ids["cv"] = cv.json()["id"]
    assert (await client.put(f"{C}/{ids['cv']}/shares/{ids['tenant']}", headers=f)).status_code == 204
    secrets = ["alice@example.com", org["name"], org["invitation_code"], "Secret plans", "fred-secret-cv"]
    mallory = await signup(client, "mallory@example.com")
    eve = await signup(client, "eve@example.com", role="freelancer")
    outsiders = {"client": bearer(mallory["access_token"]), "freelancer": bearer(eve["access_token"])}
    for who, pair in (("client", mallory), ("freelancer", eve)):
        outsiders[f"page:{who}"] = await page_headers(client, pair)
    return ids, outsiders, secrets


async def page_headers(client: httpx.AsyncClient, pair: dict[str, Any]) -> dict[str, str]:
    """The cookies of a page session holding ``pair``, and the CSRF token its forms carry."""
    cookie = f"mercenary_access={pair['access_token']}; mercenary_refresh={pair['refresh_token']}"
    cookie += "; mercenary_csrf=outsider-nonce"
    page = await client.get("/", headers={"cookie": cookie})
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found is not None, page.text
    return {"cookie": cookie, "x-csrf": found.group(1)}


@pytest.mark.slow
async def test_outsiders_reach_nothing(app: FastAPI, client: httpx.AsyncClient) -> None:
    ids, outsiders, secrets = await world(app, client)
    await app.state.mercenary.queue.drain()  # the world's jobs sent, their outbox rows deleted
    before = await snapshot(app)
    assert len(before["projects"]) == 3 and len(before["reviews"]) == 2  # the snapshot sees the world
    findings: list[str] = []
    for probe in PROBES:
        url = probe.url.format(**ids)
        for who in OUTSIDERS:
            if probe.page:
                headers = dict(outsiders[f"page:{who}"])
                form = (
                    None if probe.json is None else {**fill(probe.json, ids), "csrf": headers.pop("x-csrf")}
                )
                response = await client.request(probe.method, url, data=form, headers=headers)
            else:
                response = await client.request(
                    probe.method, url, json=fill(probe.json, ids), headers=outsiders[who]
                )
            label = f"{who} {probe.method} {url}"
            expected = getattr(probe, who)
            if response.status_code != expected:
                findings.append(
                    f"{label}: {response.status_code}, expected {expected}: {response.text[:300]}"
                )
            if probe.code and response.status_code == 422 and who == "client":
                item_codes = {e.get("code") for e in response.json().get("errors", ())}
                if item_codes != {probe.code}:
                    findings.append(f"{label}: item codes {item_codes}, expected {probe.code}")
            if response.status_code == 200 and probe.page:
                shown = [s for s in (*secrets, *probe.unseen) if s in response.text]
                findings += [f"{label}: shows {s!r}" for s in shown]
            elif response.status_code == 200:
                body = response.json()
                items = (
                    {item.get("id") for item in body.get("items", ())} if isinstance(body, dict) else set()
                )
                findings += [f"{label}: lists {key}" for key in probe.hidden if ids[key] in items]
                findings += [f"{label}: shows {s!r}" for s in secrets if s in response.text]
            if await snapshot(app) != before:
                findings.append(f"{label}: changed the database")
                await app.state.mercenary.queue.drain()  # the world's jobs sent, their outbox rows deleted
    before = await snapshot(app)
    assert not findings, "\n".join(findings)


@pytest.mark.slow
async def test_an_idempotency_key_is_its_callers_alone(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Another caller sending the same ``Idempotency-Key`` gets their own write, never the stored
    answer of the first (which would show another organization's project)."""
    alice = bearer((await signup(client, "alice@example.com"))["access_token"])
    mallory = bearer((await signup(client, "mallory@example.com"))["access_token"])
    key = {"Idempotency-Key": "same-key-0001"}
    first = await client.post(
        P, json={"title": "Alice's", "description": "Secret plans", "budget": 1}, headers=alice | key
    )
    assert first.status_code == 201, first.text
    await app.state.mercenary.queue.drain()  # the world's jobs sent, their outbox rows deleted
    before = await snapshot(app)
    second = await client.post(
        P, json={"title": "Mallory's", "description": "d", "budget": 2}, headers=mallory | key
    )
    assert second.status_code == 201, second.text
    assert second.json()["id"] != first.json()["id"] and second.json()["title"] == "Mallory's"
    assert "Secret plans" not in second.text
    after = await snapshot(app)
    assert [r for r in after["projects"] if r in before["projects"]] == before[
        "projects"
    ]  # Alice's untouched
    assert len(after["projects"]) == len(before["projects"]) + 1
