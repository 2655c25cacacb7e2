"""API-4, API-5, API-8 on the real app, on both backends: Cache-Control and Vary by route class,
gzip on the large public document and never on credentials, Server-Timing with the database's
share. Revalidating a project after it changes is in tests/api/market/test_revalidation.py."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from mercenary.app import create_app
from mercenary.settings import Settings
from mercenary.web.middleware.cache_policy import carries_credentials
from tests.api.helpers import PASSWORD, bearer, signup
from tests.test_request_path_budget import api_routes

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


def timing(response: httpx.Response) -> dict[str, float]:
    """``Server-Timing: app;dur=1.2, db;dur=0.3`` as ``{"app": 1.2, "db": 0.3}``."""
    parts = [p.strip().split(";dur=") for p in response.headers["server-timing"].split(",")]
    return {name: float(value) for name, value in parts}


async def test_probes_and_the_document_are_public(client: httpx.AsyncClient) -> None:
    health = await client.get("/health", headers=bearer("not-even-checked"))
    assert health.headers["cache-control"] == "public, no-cache"
    assert "vary" not in health.headers  # the same for everyone, token or not
    assert (await client.get("/health", headers={"If-None-Match": health.headers["etag"]})).status_code == 304

    document = await client.get("/openapi.json", headers=GZIP)
    assert document.headers["cache-control"] == "public, max-age=300"
    assert document.headers["content-encoding"] == "gzip"
    assert document.headers["vary"] == "Accept-Encoding"
    assert document.num_bytes_downloaded < len(document.content) / 4
    assert document.json()["info"]["title"] == "Mercenary"
    plain = await client.get("/openapi.json", headers=IDENTITY)
    assert "content-encoding" not in plain.headers and plain.content == document.content
    assert plain.headers["etag"] != document.headers["etag"]
    again = await client.get("/openapi.json", headers={**GZIP, "If-None-Match": document.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert (
        again.headers["cache-control"] == "public, max-age=300" and again.headers["vary"] == "Accept-Encoding"
    )


async def test_personal_responses_are_private_and_vary_by_token(client: httpx.AsyncClient) -> None:
    ann = await signup(client, "ann@example.com")
    me = await client.get("/api/v1/users/me", headers=bearer(ann["access_token"]))
    assert me.status_code == 200
    assert me.headers["cache-control"] == "private, no-cache"
    assert me.headers["vary"] == "Authorization"  # under 1 KB: no gzip, so no Accept-Encoding
    assert "content-encoding" not in me.headers
    tag = me.headers["etag"]
    revalidated = await client.get(
        "/api/v1/users/me", headers={**bearer(ann["access_token"]), "If-None-Match": tag}
    )
    assert revalidated.status_code == 304 and revalidated.headers["vary"] == "Authorization"
    bob = await signup(client, "bob@example.com")
    other = await client.get(
        "/api/v1/users/me", headers={**bearer(bob["access_token"]), "If-None-Match": tag}
    )
    assert other.status_code == 200 and other.json()["email"] == "bob@example.com"


async def test_errors_are_never_stored(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/api/v1/nope"),
        await client.get("/api/v1/users/me"),  # 401
        await client.get("/api/v1/users/me", headers=bearer("forged")),
        await client.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "wrong"}),
        await client.post("/api/v1/auth/login", json=[1]),
    ):
        assert response.status_code >= 400
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert "etag" not in response.headers


async def test_token_responses_are_not_stored_nor_compressed(client: httpx.AsyncClient) -> None:
    long_name = "N" * 120  # the longest name: the signup response is as large as it gets
    created = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "ann@example.com",
            "password": PASSWORD,
            "name": long_name,
            "role": "client",
            "organization": long_name,
        },
        headers=GZIP,
    )
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD}, headers=GZIP
    )
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}, headers=GZIP
    )
    organization = await client.get(
        "/api/v1/organizations/current", headers={**bearer(login.json()["access_token"]), **GZIP}
    )
    for response in (created, login, refreshed, organization):
        assert response.status_code in (200, 201), response.text
        assert response.headers["cache-control"] == "no-store"
        assert "content-encoding" not in response.headers
        assert "etag" not in response.headers and "vary" not in response.headers
    assert organization.json()["invitation_code"]
    # Token bodies are under 1 KB today (a signup with the longest names is ~600 B), so size alone
    # keeps them plain here; tests/web/test_delivery.py holds the rule for larger ones.


def _secret_fields(model: Any) -> set[str]:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return set()
    return {name for name in model.model_fields if "token" in name or name == "invitation_code"}


def test_every_route_that_returns_a_credential_is_classed_as_such() -> None:
    # A new route answering a token or an invitation code must join the credential paths (no gzip,
    # no-store), or this test fails.
    app = create_app(Settings())
    holders = {
        r.path
        for r in api_routes(list(app.routes))
        if isinstance(r, APIRoute) and _secret_fields(r.response_model)
    }
    assert {"/api/v1/auth/login", "/api/v1/auth/signup", "/api/v1/organizations/current"} <= holders
    assert [path for path in sorted(holders) if not carries_credentials(path)] == []


async def test_server_timing_counts_the_database(client: httpx.AsyncClient) -> None:
    assert timing(await client.get("/health"))["db"] == 0
    ann = await signup(client, "ann@example.com")
    read = await client.get("/api/v1/organizations/current", headers=bearer(ann["access_token"]))
    spent = timing(read)
    assert set(spent) == {"app", "db"}
    assert 0 < spent["db"] <= spent["app"]
    missing = await client.get("/api/v1/nope")
    assert timing(missing)["db"] == 0 and timing(missing)["app"] > 0


async def test_a_crash_is_not_stored(app: FastAPI) -> None:
    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/boom")
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    # Starlette answers it from outside DeliveryMiddleware: the handler says no-store itself.
    assert response.headers["cache-control"] == "no-store"
