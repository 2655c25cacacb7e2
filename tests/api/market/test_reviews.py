"""Reviews: who may review whom and when, once per side; aggregates; lists."""

from __future__ import annotations

import httpx
import pytest

from tests.api.helpers import assert_problem
from tests.api.market.conftest import Market, bid, post_project


async def _hired(client: httpx.AsyncClient, market: Market) -> tuple[int, int]:
    """An open project of organization A with f1's bid; returns (project id, proposal id)."""
    project = await post_project(client, market.a1)
    proposal = await bid(client, market.f1, project["id"])
    return project["id"], proposal["id"]


def _review(project_id: int, reviewee_id: int, rating: int = 5) -> dict[str, object]:
    return {"project_id": project_id, "reviewee_id": reviewee_id, "rating": rating, "text": "Good."}


async def test_review_rules(client: httpx.AsyncClient, market: Market) -> None:
    pid, proposal = await _hired(client, market)
    early = await client.post("/api/v1/reviews", json=_review(pid, market.f1.id), headers=market.a1.headers)
    assert_problem(early, 409, "project_not_closed")
    await client.post(f"/api/v1/proposals/{proposal}/accept", headers=market.a1.headers)
    for rating in (0, 6):
        bad = await client.post(
            "/api/v1/reviews", json=_review(pid, market.f1.id, rating), headers=market.a1.headers
        )
        assert_problem(bad, 422, "validation_error")
    outsider = await client.post(
        "/api/v1/reviews", json=_review(pid, market.f1.id), headers=market.f2.headers
    )
    assert_problem(outsider, 403, "not_a_participant")
    other_org = await client.post(
        "/api/v1/reviews", json=_review(pid, market.f1.id), headers=market.b1.headers
    )
    assert_problem(other_org, 403, "not_a_participant")
    wrong = await client.post("/api/v1/reviews", json=_review(pid, market.f2.id), headers=market.a1.headers)
    assert_problem(wrong, 422, "invalid_reviewee")
    ok = await client.post("/api/v1/reviews", json=_review(pid, market.f1.id, 2), headers=market.a1.headers)
    assert ok.status_code == 201
    # Once per side: neither the same client nor a colleague reviews the freelancer again.
    for actor in (market.a1, market.a2):
        again = await client.post("/api/v1/reviews", json=_review(pid, market.f1.id), headers=actor.headers)
        assert_problem(again, 409, "already_reviewed")
    missing = await client.post(
        "/api/v1/reviews", json=_review(999_999, market.f1.id), headers=market.a1.headers
    )
    assert_problem(missing, 404, "project_not_found")
    rating = (await client.get(f"/api/v1/users/{market.f1.id}/rating", headers=market.f1.headers)).json()
    assert rating == {"count": 1, "mean": 2.0, "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0}}


async def test_aggregates_and_paginated_reviews(client: httpx.AsyncClient, market: Market) -> None:
    ratings = [5, 4, 4]
    for rating in ratings:
        pid, proposal = await _hired(client, market)
        await client.post(f"/api/v1/proposals/{proposal}/accept", headers=market.a1.headers)
        response = await client.post(
            "/api/v1/reviews", json=_review(pid, market.a1.id, rating), headers=market.f1.headers
        )
        assert response.status_code == 201, response.text
    # The freelancer who worked for a1's organization may see a1 (users.visible_user), so a1's reviews.
    rating = (await client.get(f"/api/v1/users/{market.a1.id}/rating", headers=market.f1.headers)).json()
    assert rating == {"count": 3, "mean": 4.33, "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}}
    url = f"/api/v1/users/{market.a1.id}/reviews"
    first = (await client.get(url, params={"limit": 2, "fields": "rating"}, headers=market.f1.headers)).json()
    assert first["items"] == [{"rating": 4}, {"rating": 4}] and first["has_more"]
    rest = (await client.get(url, params={"cursor": first["next_cursor"]}, headers=market.f1.headers)).json()
    assert [r["rating"] for r in rest["items"]] == [5] and rest["has_more"] is False
    other = f"/api/v1/users/{market.f1.id}/reviews"
    assert_problem(
        await client.get(other, params={"cursor": first["next_cursor"]}, headers=market.f1.headers),
        400,
        "invalid_cursor",
    )


@pytest.mark.parametrize("suffix", ["reviews", "rating"])
async def test_unknown_user(client: httpx.AsyncClient, market: Market, suffix: str) -> None:
    assert_problem(
        await client.get(f"/api/v1/users/424242/{suffix}", headers=market.f1.headers), 404, "not_found"
    )


async def test_reviews_of_a_user_the_caller_may_not_see_are_a_404(
    client: httpx.AsyncClient, market: Market
) -> None:
    """Regression: another organization's client read a client's reviews and rating (and learned
    that the id was an account, which ``GET /users/{id}`` hides). Now both answer as for a missing id."""
    pid, proposal = await _hired(client, market)
    await client.post(f"/api/v1/proposals/{proposal}/accept", headers=market.a1.headers)
    review = await client.post(
        "/api/v1/reviews", json=_review(pid, market.a1.id, 5), headers=market.f1.headers
    )
    assert review.status_code == 201, review.text
    for path in ("rating", "reviews"):
        hidden = await client.get(f"/api/v1/users/{market.a1.id}/{path}", headers=market.b1.headers)
        missing = await client.get(f"/api/v1/users/999999/{path}", headers=market.b1.headers)
        assert assert_problem(hidden, 404, "not_found") == assert_problem(missing, 404, "not_found")
        own = await client.get(f"/api/v1/users/{market.a1.id}/{path}", headers=market.a1.headers)
        assert own.status_code == 200, own.text
