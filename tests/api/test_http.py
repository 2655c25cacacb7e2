"""The HTTP layer: probes, docs, problem bodies for routing errors, body size limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from tests.api.helpers import assert_problem


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert {k: v["status"] for k, v in ready.json()["checks"].items()} == {"database": "up", "cache": "up"}


async def test_ready_reports_a_database_that_is_down(app: FastAPI, client: httpx.AsyncClient) -> None:
    db = app.state.mercenary.db
    await db.close()
    try:
        ready = await client.get("/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["database"]["status"] == "down"
    finally:
        await db.connect()


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert {"/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/users/me", "/health"} <= set(spec["paths"])
    assert (await client.get("/docs")).status_code == 200


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/nope"), 404, "not_found")
    assert_problem(await client.delete("/api/v1/auth/login"), 405, "method_not_allowed")


async def test_body_over_the_limit_by_content_length(client: httpx.AsyncClient) -> None:
    big = b'{"email": "' + b"a" * 2_000_000 + b'"}'
    response = await client.post(
        "/api/v1/auth/login", content=big, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


async def test_body_over_the_limit_when_streamed(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "'
        for _ in range(40):
            yield b"a" * 50_000
        yield b'"}'

    response = await client.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


async def test_bad_content_length_header(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", content=b"{}", headers={"content-length": "abc"})
    assert_problem(response, 413, "payload_too_large")


async def test_a_body_that_is_not_json_is_unsupported(client: httpx.AsyncClient) -> None:
    body = b'{"email": "a@example.com", "password": "x"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = await client.post(
            "/api/v1/auth/login", content=body, headers={"content-type": content_type}
        )
        assert_problem(response, 415, "unsupported_media_type")
    # The same bytes as JSON reach the use case; JSON of the wrong shape is still a 422.
    ok = await client.post("/api/v1/auth/login", content=body, headers={"content-type": "application/json"})
    assert_problem(ok, 401, "invalid_credentials")
    assert_problem(await client.post("/api/v1/auth/login", json=[1]), 422, "validation_error")
    assert_problem(await client.post("/api/v1/auth/login"), 422, "validation_error")
