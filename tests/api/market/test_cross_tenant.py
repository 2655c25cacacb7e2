"""SEC-1: a user of organization B (or an unrelated freelancer) reads, lists, changes and deletes
organization A's private objects through every endpoint, and learns nothing: the answer is the same
404 as for an id that does not exist, and nothing changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.market.conftest import Actor, Market, bid, post_project

MISSING = 10**9


@dataclass
class Private:
    """Organization A's objects: a draft, an open project and a proposal on it."""

    draft: dict[str, Any]
    open: dict[str, Any]
    proposal: dict[str, Any]


@pytest.fixture
async def private(client: httpx.AsyncClient, market: Market) -> Private:
    draft = await post_project(client, market.a1, status="draft")
    open_ = await post_project(client, market.a1)
    return Private(draft, open_, await bid(client, market.f1, open_["id"]))


def _attempts(p: Private) -> list[tuple[str, str, int, dict[str, Any] | None, str]]:
    """(method, path with {id}, the private id, body, whose: b1 or f2)."""
    draft, open_, proposal = p.draft["id"], p.open["id"], p.proposal["id"]
    review = {"reviewee_id": 1, "rating": 5, "text": "x"}
    return [
        ("GET", "/api/v1/projects/{id}", draft, None, "b1"),
        ("GET", "/api/v1/projects/{id}", draft, None, "f2"),
        ("PATCH", "/api/v1/projects/{id}", draft, {"budget": 1}, "b1"),
        ("PATCH", "/api/v1/projects/{id}", open_, {"status": "cancelled"}, "b1"),
        ("DELETE", "/api/v1/projects/{id}", draft, None, "b1"),
        ("DELETE", "/api/v1/projects/{id}", open_, None, "b1"),
        ("GET", "/api/v1/projects/{id}/proposals", draft, None, "b1"),
        ("POST", "/api/v1/projects/{id}/proposals", draft, {"cover_letter": "x", "price": 1}, "f2"),
        ("GET", "/api/v1/proposals/{id}", proposal, None, "b1"),
        ("GET", "/api/v1/proposals/{id}", proposal, None, "f2"),
        ("POST", "/api/v1/proposals/{id}/accept", proposal, None, "b1"),
        ("POST", "/api/v1/proposals/{id}/reject", proposal, None, "b1"),
        ("POST", "/api/v1/proposals/{id}/withdraw", proposal, None, "f2"),
        ("POST", "/api/v1/proposals/{id}/withdraw", proposal, None, "b1"),
        ("POST", "/api/v1/reviews", draft, review, "b1"),
    ]


async def _call(
    client: httpx.AsyncClient,
    actor: Actor,
    method: str,
    path: str,
    object_id: int,
    body: dict[str, Any] | None,
) -> httpx.Response:
    if path == "/api/v1/reviews":
        assert body is not None
        return await client.post(path, json={**body, "project_id": object_id}, headers=actor.headers)
    return await client.request(method, path.format(id=object_id), json=body, headers=actor.headers)


async def test_private_objects_read_as_missing(
    client: httpx.AsyncClient, market: Market, private: Private
) -> None:
    for method, path, object_id, body, whose in _attempts(private):
        actor = market.b1 if whose == "b1" else market.f2
        theirs = await _call(client, actor, method, path, object_id, body)
        missing = await _call(client, actor, method, path, MISSING, body)
        where = f"{whose} {method} {path} {object_id}"
        assert theirs.status_code == 404, f"{where}: {theirs.text}"
        assert theirs.json() == missing.json(), where
    # Nothing changed.
    h = market.a1.headers
    draft = (await client.get(f"/api/v1/projects/{private.draft['id']}", headers=h)).json()
    assert draft["status"] == "draft" and draft["budget"] == private.draft["budget"]
    open_ = (await client.get(f"/api/v1/projects/{private.open['id']}", headers=h)).json()
    assert open_["status"] == "open"
    proposal = (await client.get(f"/api/v1/proposals/{private.proposal['id']}", headers=h)).json()
    assert proposal["status"] == "submitted"


async def test_lists_leak_nothing(client: httpx.AsyncClient, market: Market, private: Private) -> None:
    b = market.b1.headers
    market_ids = [p["id"] for p in (await client.get("/api/v1/projects", headers=b)).json()["items"]]
    assert market_ids == [private.open["id"]]
    mine = (await client.get("/api/v1/projects", params={"scope": "mine"}, headers=b)).json()
    assert mine["items"] == []
    search = await client.get("/api/v1/search/projects", params={"q": "shop"}, headers=b)
    assert [p["id"] for p in search.json()["items"]] == [private.open["id"]]
    assert (await client.get("/api/v1/proposals", headers=b)).json()["items"] == []
    assert (await client.get("/api/v1/proposals", headers=market.f2.headers)).json()["items"] == []
    on_open = await client.get(f"/api/v1/projects/{private.open['id']}/proposals", headers=b)
    assert on_open.json()["items"] == []
    counts = await client.get(
        f"/api/v1/projects/{private.open['id']}", params={"include": "proposal_count"}, headers=b
    )
    assert counts.json()["proposal_count"] == 1  # a public number on a public project, not the bids


async def test_batch_treats_their_ids_as_missing(
    client: httpx.AsyncClient, market: Market, private: Private
) -> None:
    items = [{"id": private.draft["id"], "budget": 1}, {"id": MISSING, "budget": 1}]
    response = await client.patch("/api/v1/projects", json={"items": items}, headers=market.b1.headers)
    errors = response.json()["errors"]
    assert response.status_code == 422 and [e["code"] for e in errors] == ["project_not_found"] * 2
    assert errors[0]["message"] == errors[1]["message"]
