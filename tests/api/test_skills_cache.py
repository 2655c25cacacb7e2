"""CACHE-1: the skill list is served from the cache, dropped after every committed change, and a
cache that fails is bypassed rather than turned into an error."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from mercenary.app import create_app
from tests.api.catalog import admin_headers, create_taxonomy
from tests.conftest import make_settings
from tests.support.statements import assert_statement_count


async def test_list_is_cached_and_invalidated_on_change(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await admin_headers(app, client)
    ids = await create_taxonomy(client, admin)
    db = app.state.mercenary.db
    first = await client.get("/api/v1/skills", headers=admin)
    with assert_statement_count(db, 0):  # served from the cache
        second = await client.get("/api/v1/skills", headers=admin)
    assert second.json() == first.json()

    created = await client.post(
        "/api/v1/skills", json={"slug": "elixir", "name": "Elixir", "category": "Programming"}, headers=admin
    )
    assert created.status_code == 201
    assert "elixir" in {s["slug"] for s in (await client.get("/api/v1/skills", headers=admin)).json()}

    renamed = await client.patch(f"/api/v1/skills/{ids['rust']}", json={"name": "Rust lang"}, headers=admin)
    assert renamed.status_code == 200
    names = {s["slug"]: s["name"] for s in (await client.get("/api/v1/skills", headers=admin)).json()}
    assert names["rust"] == "Rust lang"

    assert (await client.delete(f"/api/v1/skills/{ids['rust']}", headers=admin)).status_code == 204
    assert "rust" not in {s["slug"] for s in (await client.get("/api/v1/skills", headers=admin)).json()}


async def test_a_refused_change_purges_nothing(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await admin_headers(app, client)
    ids = await create_taxonomy(client, admin)
    db = app.state.mercenary.db
    cached = (await client.get("/api/v1/skills", headers=admin)).json()
    # Refused inside the transaction (the slug is taken): it rolls back, and its purge never runs.
    clash = await client.patch(f"/api/v1/skills/{ids['rust']}", json={"slug": "python"}, headers=admin)
    assert clash.status_code == 409
    with assert_statement_count(db, 0):  # still served from the cache
        assert (await client.get("/api/v1/skills", headers=admin)).json() == cached


async def test_a_failing_cache_is_bypassed(database_url: str) -> None:
    # A real Redis client pointed at a port where nothing listens: every cache call fails.
    app = create_app(make_settings(database_url, CACHE_URL="redis://127.0.0.1:1/0"))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        admin = await admin_headers(app, client)
        await create_taxonomy(client, admin)
        listed = await client.get("/api/v1/skills", headers=admin)
        assert listed.status_code == 200
        assert len(listed.json()) >= 3
        assert (await client.get("/ready")).status_code == 503  # readiness still tells the truth
