"""DB-3: the number of statements a list runs does not grow with its page size, includes and all."""

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
    h = market.f2.headers
    include = "skills,owner,proposal_count"
    cases: list[tuple[str, dict[str, Any], int]] = [
        ("/api/v1/projects", {}, 1),
        ("/api/v1/projects", {"include": include}, 5),  # list + skill links + slugs + owners + counts
        ("/api/v1/projects", {"include": include, "skills": "python,react"}, 6),  # + resolving the skills
        ("/api/v1/search/projects", {"q": "django shop", "include": include}, 5),
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
