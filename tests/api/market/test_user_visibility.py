"""Who may read ``GET /users/{id}`` (users.service.visible_user): walking ids must not list the
accounts. Freelancers are public, members see their organization, a freelancer sees the
organization whose project they proposed on, administrators see everyone; anything else is the
404 of a missing id."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.api.catalog import admin_headers
from tests.api.helpers import assert_problem
from tests.api.market.conftest import Market, bid, post_project


async def read(client: httpx.AsyncClient, headers: dict[str, str], user_id: int) -> httpx.Response:
    return await client.get(f"/api/v1/users/{user_id}", headers=headers)


async def test_a_client_of_another_organization_is_the_404_of_a_missing_id(
    client: httpx.AsyncClient, market: Market
) -> None:
    hidden = await read(client, market.b1.headers, market.a1.id)
    missing = await read(client, market.b1.headers, 999_999)
    assert assert_problem(hidden, 404, "not_found") == assert_problem(missing, 404, "not_found")
    # Not even a freelancer without a shared project sees them.
    assert_problem(await read(client, market.f1.headers, market.a1.id), 404, "not_found")


async def test_an_administrator_is_hidden_from_users(
    app: FastAPI, client: httpx.AsyncClient, market: Market
) -> None:
    admin = await admin_headers(app, client)
    admin_id = (await client.get("/api/v1/users/me", headers=admin)).json()["id"]
    for actor in (market.a1, market.b1, market.f1):
        assert_problem(await read(client, actor.headers, admin_id), 404, "not_found")
    # An administrator reads anyone.
    response = await read(client, admin, market.b1.id)
    assert response.status_code == 200 and response.json()["name"] == "b1"


async def test_freelancers_are_public_and_members_see_each_other(
    client: httpx.AsyncClient, market: Market
) -> None:
    response = await read(client, market.b1.headers, market.f1.id)
    assert response.status_code == 200
    assert set(response.json()) == {"id", "name", "role", "created_at"}
    assert response.json()["role"] == "freelancer"
    assert (await read(client, market.a2.headers, market.a1.id)).status_code == 200
    assert (await read(client, market.a1.headers, market.a1.id)).status_code == 200


async def test_a_freelancer_sees_the_organization_whose_project_they_proposed_on(
    client: httpx.AsyncClient, market: Market
) -> None:
    project = await post_project(client, market.a1)
    assert_problem(await read(client, market.f1.headers, market.a2.id), 404, "not_found")
    await bid(client, market.f1, project["id"])
    for member in (market.a1, market.a2):
        response = await read(client, market.f1.headers, member.id)
        assert response.status_code == 200 and response.json()["role"] == "client"
    # Another organization stays hidden; so does the same organization to a freelancer who did not bid.
    assert_problem(await read(client, market.f1.headers, market.b1.id), 404, "not_found")
    assert_problem(await read(client, market.f2.headers, market.a1.id), 404, "not_found")
