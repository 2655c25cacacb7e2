"""The whole marketplace story over HTTP: post, find, bid, hire, review, rate."""

from __future__ import annotations

import httpx

from tests.api.market.conftest import Market, bid, post_project


async def test_post_find_bid_hire_review(client: httpx.AsyncClient, market: Market) -> None:
    m = market
    project = await post_project(
        client,
        m.a1,
        title="Payment gateway integration for a Django shop",
        description="Integrate Stripe payments into an existing Django storefront.",
        skills=["py", "django"],
        status="draft",
    )
    assert project["status"] == "draft" and project["skills"] == ["django", "python"]
    pid = project["id"]

    # A draft is invisible to everyone outside the organization, and not on the market.
    assert (await client.get(f"/api/v1/projects/{pid}", headers=m.f1.headers)).status_code == 404
    search = {"q": "payments stripe"}
    found = (await client.get("/api/v1/search/projects", params=search, headers=m.f1.headers)).json()
    assert found["items"] == []

    published = await client.patch(f"/api/v1/projects/{pid}", json={"status": "open"}, headers=m.a1.headers)
    assert published.status_code == 200 and published.json()["status"] == "open"
    await post_project(
        client, m.b1, title="Rust CLI tool", description="A command line tool.", skills=["rust"]
    )

    # Freelancers find it by full-text search and skill filter.
    params = {"q": "stripe payment", "skills": "django"}
    found = (await client.get("/api/v1/search/projects", params=params, headers=m.f1.headers)).json()
    assert [p["id"] for p in found["items"]] == [pid] and found["has_more"] is False

    p1 = await bid(client, m.f1, pid, 4500)
    p2 = await bid(client, m.f2, pid, 4000)
    p3 = await bid(client, m.f3, pid, 3900)
    withdrawn = await client.post(f"/api/v1/proposals/{p3['id']}/withdraw", headers=m.f3.headers)
    assert withdrawn.json()["status"] == "withdrawn"

    received = (await client.get(f"/api/v1/projects/{pid}/proposals", headers=m.a2.headers)).json()
    assert [p["id"] for p in received["items"]] == [p3["id"], p2["id"], p1["id"]]
    counted = await client.get(
        f"/api/v1/projects/{pid}", params={"include": "proposal_count"}, headers=m.a1.headers
    )
    assert counted.json()["proposal_count"] == 2

    accepted = await client.post(f"/api/v1/proposals/{p2['id']}/accept", headers=m.a1.headers)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    after = (await client.get(f"/api/v1/projects/{pid}/proposals", headers=m.a1.headers)).json()
    assert {p["id"]: p["status"] for p in after["items"]} == {
        p1["id"]: "rejected",
        p2["id"]: "accepted",
        p3["id"]: "withdrawn",
    }
    closed = (await client.get(f"/api/v1/projects/{pid}", headers=m.f1.headers)).json()
    assert closed["status"] == "closed"

    # Both sides review each other once; the aggregates follow.
    r1 = await client.post(
        "/api/v1/reviews",
        json={"project_id": pid, "reviewee_id": m.f2.id, "rating": 5, "text": "Superb work."},
        headers=m.a2.headers,
    )
    assert r1.status_code == 201, r1.text
    r2 = await client.post(
        "/api/v1/reviews",
        json={"project_id": pid, "reviewee_id": m.a1.id, "rating": 4, "text": "Clear brief, paid on time."},
        headers=m.f2.headers,
    )
    assert r2.status_code == 201, r2.text
    rating = (await client.get(f"/api/v1/users/{m.f2.id}/rating", headers=m.b1.headers)).json()
    assert rating == {"count": 1, "mean": 5.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}}
    rating = (await client.get(f"/api/v1/users/{m.a1.id}/rating", headers=m.f2.headers)).json()
    assert rating["count"] == 1 and rating["mean"] == 4.0 and rating["distribution"]["4"] == 1
    reviews = (await client.get(f"/api/v1/users/{m.f2.id}/reviews", headers=m.f1.headers)).json()
    assert [r["text"] for r in reviews["items"]] == ["Superb work."] and reviews["next_cursor"] is None
    none_yet = (await client.get(f"/api/v1/users/{m.f1.id}/rating", headers=m.f1.headers)).json()
    assert none_yet == {"count": 0, "mean": None, "distribution": {str(i): 0 for i in range(1, 6)}}
