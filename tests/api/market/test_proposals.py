"""Proposals: bidding rules, decisions, visibility, lists and races."""

from __future__ import annotations

import asyncio

import httpx

from tests.api.helpers import assert_problem
from tests.api.market.conftest import Market, bid, post_project

LETTER = {"cover_letter": "Hire me.", "price": 100}


async def test_bidding_rules(client: httpx.AsyncClient, market: Market) -> None:
    project = await post_project(client, market.a1)
    url = f"/api/v1/projects/{project['id']}/proposals"
    first = await bid(client, market.f1, project["id"])
    assert first["status"] == "submitted" and first["project_id"] == project["id"]
    assert_problem(await client.post(url, json=LETTER, headers=market.f1.headers), 409, "proposal_exists")
    assert_problem(await client.post(url, json=LETTER, headers=market.a2.headers), 403, "permission_denied")
    for bad in ({"cover_letter": "", "price": 1}, {"cover_letter": "x", "price": -5}, {"price": 1}):
        assert_problem(await client.post(url, json=bad, headers=market.f2.headers), 422, "validation_error")
    # After a withdrawal the freelancer may bid again.
    await client.post(f"/api/v1/proposals/{first['id']}/withdraw", headers=market.f1.headers)
    again = await bid(client, market.f1, project["id"])
    assert_problem(
        await client.post(f"/api/v1/proposals/{first['id']}/withdraw", headers=market.f1.headers),
        409,
        "proposal_not_submitted",
    )
    await client.post(f"/api/v1/proposals/{again['id']}/accept", headers=market.a1.headers)
    closed = await client.post(url, json=LETTER, headers=market.f2.headers)
    assert_problem(closed, 409, "project_not_open")
    draft = await post_project(client, market.a1, status="draft")
    on_draft = await client.post(
        f"/api/v1/projects/{draft['id']}/proposals", json=LETTER, headers=market.f2.headers
    )
    assert_problem(on_draft, 404, "project_not_found")
    mine = (await client.get("/api/v1/proposals", headers=market.f2.headers)).json()
    assert mine["items"] == []


async def test_decisions_and_their_guards(client: httpx.AsyncClient, market: Market) -> None:
    project = await post_project(client, market.a1)
    p1 = await bid(client, market.f1, project["id"])
    p2 = await bid(client, market.f2, project["id"])
    assert_problem(
        await client.post(f"/api/v1/proposals/{p1['id']}/accept", headers=market.f1.headers),
        403,
        "permission_denied",
    )
    assert_problem(
        await client.post(f"/api/v1/proposals/{p1['id']}/accept", headers=market.b1.headers),
        404,
        "proposal_not_found",
    )
    assert_problem(
        await client.post(f"/api/v1/proposals/{p1['id']}/withdraw", headers=market.f2.headers),
        404,
        "proposal_not_found",
    )
    rejected = await client.post(f"/api/v1/proposals/{p1['id']}/reject", headers=market.a2.headers)
    assert rejected.json()["status"] == "rejected"
    assert_problem(
        await client.post(f"/api/v1/proposals/{p1['id']}/accept", headers=market.a1.headers),
        409,
        "proposal_not_submitted",
    )
    status = (await client.get(f"/api/v1/projects/{project['id']}", headers=market.a1.headers)).json()[
        "status"
    ]
    assert status == "open"  # the failed accept changed nothing
    accepted = await client.post(f"/api/v1/proposals/{p2['id']}/accept", headers=market.a2.headers)
    assert accepted.json()["status"] == "accepted"


async def test_two_accepts_at_once_only_one_wins(client: httpx.AsyncClient, market: Market) -> None:
    project = await post_project(client, market.a1)
    bids = [await bid(client, f, project["id"]) for f in (market.f1, market.f2, market.f3)]
    results = await asyncio.gather(
        *(client.post(f"/api/v1/proposals/{b['id']}/accept", headers=market.a1.headers) for b in bids)
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409, 409], [r.text for r in results]
    page = (await client.get(f"/api/v1/projects/{project['id']}/proposals", headers=market.a1.headers)).json()
    assert sorted(p["status"] for p in page["items"]) == ["accepted", "rejected", "rejected"]


async def test_lists_and_visibility(client: httpx.AsyncClient, market: Market) -> None:
    a = await post_project(client, market.a1)
    b = await post_project(client, market.b1)
    fa = await bid(client, market.f1, a["id"])
    fb = await bid(client, market.f1, b["id"])
    ga = await bid(client, market.f2, a["id"])
    own = (await client.get("/api/v1/proposals", headers=market.f1.headers)).json()
    assert [p["id"] for p in own["items"]] == [fb["id"], fa["id"]]
    received = (await client.get("/api/v1/proposals", headers=market.a2.headers)).json()
    assert [p["id"] for p in received["items"]] == [ga["id"], fa["id"]]
    # Another freelancer sees only their own bid on a project they can see.
    theirs = (await client.get(f"/api/v1/projects/{a['id']}/proposals", headers=market.f2.headers)).json()
    assert [p["id"] for p in theirs["items"]] == [ga["id"]]
    assert_problem(
        await client.get(f"/api/v1/proposals/{fa['id']}", headers=market.f2.headers),
        404,
        "proposal_not_found",
    )
    assert_problem(
        await client.get(f"/api/v1/proposals/{fa['id']}", headers=market.b1.headers),
        404,
        "proposal_not_found",
    )
    assert (await client.get(f"/api/v1/proposals/{fa['id']}", headers=market.a1.headers)).status_code == 200
    page = await client.get(
        "/api/v1/proposals", params={"limit": 1, "fields": "id,status"}, headers=market.f1.headers
    )
    body = page.json()
    assert body["has_more"] and set(body["items"][0]) == {"id", "status"}
    rest = await client.get(
        "/api/v1/proposals", params={"cursor": body["next_cursor"]}, headers=market.f1.headers
    )
    assert [p["id"] for p in rest.json()["items"]] == [fa["id"]]
    filtered = await client.get("/api/v1/proposals", params={"status": "accepted"}, headers=market.f1.headers)
    assert filtered.json()["items"] == []
    assert_problem(
        await client.get("/api/v1/proposals", params={"limit": 101}, headers=market.f1.headers),
        422,
        "validation_error",
    )
    bad = await client.get(
        "/api/v1/proposals", params={"cursor": body["next_cursor"] + "x"}, headers=market.f1.headers
    )
    assert_problem(bad, 400, "invalid_cursor")
    other_scope = await client.get(
        f"/api/v1/projects/{a['id']}/proposals",
        params={"cursor": body["next_cursor"]},
        headers=market.a1.headers,
    )
    assert_problem(other_scope, 400, "invalid_cursor")
