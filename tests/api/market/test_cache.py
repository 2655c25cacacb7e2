"""The read-through caches behind the API (CACHE-2..5): what is served without a statement, and that
every committed change is seen on the next read, by every caller it concerns. On PostgreSQL these
tests run with Redis (L2) and the in-process copy (L1); on SQLite with the in-process cache."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.api.market.conftest import Market, bid, post_project
from tests.support.statements import assert_statement_count


async def test_a_project_is_read_through_and_invalidated_after_a_change(
    app: FastAPI, client: httpx.AsyncClient, market: Market
) -> None:
    db = app.state.mercenary.db
    project = await post_project(client, market.a1)
    url = f"/api/v1/projects/{project['id']}"
    first = await client.get(url, headers=market.f1.headers)
    with assert_statement_count(db, 0):
        again = await client.get(url, headers=market.f1.headers)
    assert again.json() == first.json()

    patched = await client.patch(url, json={"budget": 777, "skills": ["rust"]}, headers=market.a1.headers)
    assert patched.status_code == 200
    seen = (await client.get(url, headers=market.f1.headers)).json()
    assert (seen["budget"], seen["skills"]) == (777, ["rust"])


async def test_the_cache_never_widens_visibility(client: httpx.AsyncClient, market: Market) -> None:
    draft = await post_project(client, market.a1, status="draft")
    url = f"/api/v1/projects/{draft['id']}"
    assert (await client.get(url, headers=market.a2.headers)).status_code == 200  # cached now
    assert (await client.get(url, headers=market.b1.headers)).status_code == 404  # another organization
    assert (await client.get(url, headers=market.f1.headers)).status_code == 404


async def test_a_missing_project_is_found_once_it_exists(client: httpx.AsyncClient, market: Market) -> None:
    probe = await post_project(client, market.a1)
    next_id = probe["id"] + 1
    assert (await client.get(f"/api/v1/projects/{next_id}", headers=market.f1.headers)).status_code == 404
    created = await post_project(client, market.a1)
    assert created["id"] == next_id
    found = await client.get(f"/api/v1/projects/{next_id}", headers=market.f1.headers)
    assert found.status_code == 200  # the cached absence was dropped by the create


async def test_market_pages_and_searches_are_cached_until_the_market_changes(
    app: FastAPI, client: httpx.AsyncClient, market: Market
) -> None:
    db = app.state.mercenary.db
    await post_project(client, market.a1, title="Rust crawler", description="a crawler in rust")
    first = (await client.get("/api/v1/projects", headers=market.f1.headers)).json()
    found = (await client.get("/api/v1/search/projects?q=crawler", headers=market.f1.headers)).json()
    with assert_statement_count(db, 0):
        assert (await client.get("/api/v1/projects", headers=market.f2.headers)).json() == first
        assert (
            await client.get("/api/v1/search/projects?q=crawler", headers=market.f2.headers)
        ).json() == found

    newer = await post_project(client, market.b1, title="Another crawler", description="crawler")
    listed = (await client.get("/api/v1/projects", headers=market.f1.headers)).json()
    assert listed["items"][0]["id"] == newer["id"]
    searched = (await client.get("/api/v1/search/projects?q=crawler", headers=market.f1.headers)).json()
    assert newer["id"] in [p["id"] for p in searched["items"]]

    # A draft is not in the market, but it is in its organization's own list at once.
    draft = await post_project(client, market.a1, status="draft")
    mine = (await client.get("/api/v1/projects?scope=mine", headers=market.a2.headers)).json()
    assert mine["items"][0]["id"] == draft["id"]
    theirs = (await client.get("/api/v1/projects?scope=mine", headers=market.b1.headers)).json()
    assert draft["id"] not in [p["id"] for p in theirs["items"]]


async def test_accepting_a_proposal_closes_the_project_everywhere(
    client: httpx.AsyncClient, market: Market
) -> None:
    project = await post_project(client, market.a1)
    url = f"/api/v1/projects/{project['id']}"
    assert (await client.get(url, headers=market.f2.headers)).json()["status"] == "open"
    listed = (await client.get("/api/v1/projects", headers=market.f2.headers)).json()
    assert project["id"] in [p["id"] for p in listed["items"]]
    proposal = await bid(client, market.f1, project["id"])
    accepted = await client.post(f"/api/v1/proposals/{proposal['id']}/accept", headers=market.a1.headers)
    assert accepted.status_code == 200
    assert (await client.get(url, headers=market.f2.headers)).json()["status"] == "closed"
    listed = (await client.get("/api/v1/projects", headers=market.f2.headers)).json()
    assert project["id"] not in [p["id"] for p in listed["items"]]


async def test_cache_counters_see_hits_and_misses(
    app: FastAPI, client: httpx.AsyncClient, market: Market
) -> None:
    cache = app.state.mercenary.cache
    project = await post_project(client, market.a1)
    before = cache.stats("project").hits
    for _ in range(3):
        await client.get(f"/api/v1/projects/{project['id']}", headers=market.f1.headers)
    assert cache.stats("project").hits == before + 2
