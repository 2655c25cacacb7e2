"""Batch update of projects (API-6): validated first, all or nothing, per-item errors."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import assert_problem
from tests.api.market.conftest import Market, post_project


async def test_batch_applies_every_item(client: httpx.AsyncClient, market: Market) -> None:
    one = await post_project(client, market.a1, status="draft")
    two = await post_project(client, market.a1)
    items = [
        {"id": one["id"], "status": "open", "skills": ["rust", "py"]},
        {"id": two["id"], "budget": 9000, "title": "Renamed shop"},
    ]
    response = await client.patch("/api/v1/projects", json={"items": items}, headers=market.a2.headers)
    assert response.status_code == 200, response.text
    got = response.json()["items"]
    assert [p["id"] for p in got] == [one["id"], two["id"]]
    assert got[0]["status"] == "open" and got[0]["skills"] == ["python", "rust"]
    assert got[1]["budget"] == 9000 and got[1]["title"] == "Renamed shop"


async def test_one_bad_item_fails_the_batch_and_changes_nothing(
    client: httpx.AsyncClient, market: Market
) -> None:
    mine = await post_project(client, market.a1, status="draft")
    cancelled = await post_project(client, market.a1)
    await client.patch(
        f"/api/v1/projects/{cancelled['id']}", json={"status": "cancelled"}, headers=market.a1.headers
    )
    theirs = await post_project(client, market.b1, status="draft")
    items = [
        {"id": mine["id"], "budget": 1},
        {"id": theirs["id"], "budget": 2},
        {"id": 987654, "budget": 3},
        {"id": cancelled["id"], "title": "Back from the dead"},
        {"id": mine["id"], "skills": ["cobol"]},
        {"id": mine["id"] + 10_000},
    ]
    response = await client.patch("/api/v1/projects", json={"items": items}, headers=market.a1.headers)
    body = assert_problem(response, 422, "batch_invalid")
    assert [(e["index"], e["code"]) for e in body["errors"]] == [
        (1, "project_not_found"),
        (2, "project_not_found"),
        (3, "project_not_editable"),
        (4, "invalid_request"),
        (5, "project_not_found"),
    ]
    assert all(set(e) == {"index", "id", "code", "message"} for e in body["errors"])
    after = (await client.get(f"/api/v1/projects/{mine['id']}", headers=market.a1.headers)).json()
    assert after["budget"] == mine["budget"]
    fine = await post_project(client, market.a1)
    skills = [{"id": mine["id"], "skills": ["cobol", "python"]}, {"id": fine["id"], "budget": 5}]
    response = await client.patch("/api/v1/projects", json={"items": skills}, headers=market.a1.headers)
    errors = assert_problem(response, 422, "batch_invalid")["errors"]
    assert [(e["index"], e["code"]) for e in errors] == [(0, "unknown_skill")]
    unchanged = (await client.get(f"/api/v1/projects/{fine['id']}", headers=market.a1.headers)).json()
    assert unchanged["budget"] == fine["budget"]


async def test_batch_shape_is_validated(client: httpx.AsyncClient, market: Market) -> None:
    h = market.a1.headers
    bad: tuple[dict[str, Any], ...] = (
        {"items": []},
        {"items": [{"id": 1, "budget": 1}] * 101},
        {"items": [{"budget": 1}]},
        {},
    )
    for body in bad:
        assert_problem(await client.patch("/api/v1/projects", json=body, headers=h), 422, "validation_error")
    single = {"items": [{"id": 1, "budget": 1}]}
    assert_problem(
        await client.patch("/api/v1/projects", json=single, headers=market.f1.headers),
        403,
        "permission_denied",
    )
