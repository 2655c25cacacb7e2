"""DB-3: the number of statements a list runs does not grow with its page size, includes and all;
and the hot single-object reads and writes run the few statements they need."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tests.api.market.conftest import Market, bid, post_project
from tests.support.statements import count_statements

PAGES = 12


async def _statements(
    app: FastAPI, client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any
) -> int:
    with count_statements(app.state.mercenary.db) as counted:
        response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == params.get("limit", PAGES)
    return counted.n


async def test_list_statements_are_constant(app: FastAPI, client: httpx.AsyncClient, market: Market) -> None:
    for i in range(PAGES):
        owner = market.a1 if i % 2 else market.b1
        project = await post_project(
            client, owner, title=f"Django shop {i}", skills=["python", "django", "react"]
        )
        await bid(client, market.f1, project["id"])
    await app.state.mercenary.queue.drain()  # the bids' mail jobs: sent, and their outbox rows gone
    h = market.f2.headers
    include = "skills,owner,proposal_count"
    cases: list[tuple[str, dict[str, Any], int]] = [
        ("/api/v1/projects", {}, 1),
        ("/api/v1/projects", {"include": include}, 4),  # list + skill slugs + owners + counts
        ("/api/v1/projects", {"include": include, "skills": "python,react"}, 5),  # + resolving the skills
        ("/api/v1/search/projects", {"q": "django shop", "include": include}, 4),
    ]
    for url, params, expected in cases:
        small = await _statements(app, client, url, h, limit=3, **params)
        large = await _statements(app, client, url, h, limit=PAGES, **params)
        assert small == large == expected, (url, params, small, large)
    for headers in (market.f1.headers, market.a1.headers):
        assert await _statements(app, client, "/api/v1/proposals", headers, limit=3) == 1
    small = await _statements(app, client, "/api/v1/proposals", market.f1.headers, limit=3)
    large = await _statements(app, client, "/api/v1/proposals", market.f1.headers, limit=PAGES)
    assert small == large == 1


async def test_project_reads_and_writes_run_few_statements(
    app: FastAPI, client: httpx.AsyncClient, market: Market
) -> None:
    db = app.state.mercenary.db
    body = {"title": "Counted", "description": "d", "budget": 10, "skills": ["python", "py", "django"]}
    with count_statements(db) as created:  # resolve the names, insert the project, link its skills
        response = await client.post("/api/v1/projects", json=body, headers=market.a1.headers)
    assert response.status_code == 201, response.text
    project = response.json()
    assert project["skills"] == ["django", "python"]
    assert created.n == 3

    url = f"/api/v1/projects/{project['id']}"
    with count_statements(db) as read:  # the row, then its skill slugs
        got = await client.get(url, headers=market.a1.headers)
    assert got.json()["skills"] == ["django", "python"]
    assert read.n == 2

    with count_statements(db) as renamed:  # the row, the update, the slugs
        changed = await client.patch(url, json={"title": "Counted again"}, headers=market.a1.headers)
    assert changed.json()["skills"] == ["django", "python"]
    assert renamed.n == 3

    with count_statements(db) as reskilled:  # the row, the names, the update, unlink, link
        changed = await client.patch(url, json={"skills": ["react"]}, headers=market.a1.headers)
    assert changed.json()["skills"] == ["react"]
    assert reskilled.n == 5
    assert (await client.get(url, headers=market.a1.headers)).json()["skills"] == ["react"]
