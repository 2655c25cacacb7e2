"""No response body gives away the inside of the service (SEC-4): errors of every kind are provoked
(validation, parsing, routing, auth, conflicts, a bad cursor, a crash, a failing SQL statement, a
constraint the code did not expect, a deadline) and every body is scanned for stack traces, SQL,
driver names and file system paths. The details belong in the log, which the crash tests check too."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Request

import mercenary
from mercenary.app import create_app
from mercenary.db import Query
from mercenary.db.metadata import utcnow
from mercenary.settings import Settings
from mercenary.skills.tables import skills
from tests.api.helpers import PASSWORD, bearer, signup
from tests.conftest import make_settings

BAD_SQL = Query("t.bad_sql", sa.text("SELECT secret_column FROM no_such_table WHERE id = 1"))
INSERT_SKILL = Query(
    "t.insert_skill",
    sa.insert(skills).values(slug="dup", name="Dup", category="test", created_at=sa.bindparam("now")),
)
# What must never reach a client.
LEAKS = [
    "Traceback",
    'File "',
    ".py",
    "site-packages",
    "no_such_table",
    "secret_column",
    "SELECT ",
    "INSERT ",
    "UNIQUE constraint",
    "duplicate key",
    "sqlite3",
    "asyncpg",
    "psycopg",
    "sqlalchemy",
    "RuntimeError",
    "OperationalError",
    "IntegrityError",
    "/root/",
    "/home/",
    "/tmp/",
    "/usr/",
    str(Path(mercenary.__file__).parent.parent),
    os.getcwd(),
    sys.prefix,
]


@pytest.fixture
async def failing_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with test-only routes that fail the ways a bug or the database can."""
    app = create_app(make_settings(settings.DATABASE_URL, REQUEST_TIMEOUT_S=0.2))

    async def crash() -> None:
        raise RuntimeError(f"bug in {__file__} while running SELECT * FROM users")

    async def bad_sql(request: Request) -> None:
        await request.app.state.mercenary.db.fetch_val(BAD_SQL)

    async def duplicate(request: Request) -> None:
        async with request.app.state.mercenary.db.transaction() as conn:
            await conn.execute(INSERT_SKILL, now=utcnow())
            await conn.execute(INSERT_SKILL, now=utcnow())

    async def slow() -> None:
        await asyncio.sleep(5)

    for path, endpoint in (("crash", crash), ("bad-sql", bad_sql), ("duplicate", duplicate), ("slow", slow)):
        app.add_api_route(f"/test/{path}", endpoint)
    async with app.router.lifespan_context(app):
        yield app


async def test_no_body_reveals_traces_sql_or_paths(
    failing_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    transport = httpx.ASGITransport(app=failing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        user = await signup(client, "leak@example.com")
        auth = bearer(user["access_token"])
        with caplog.at_level(logging.ERROR, logger="mercenary.web"):
            answers = {
                "crash": await client.get("/test/crash"),
                "bad sql": await client.get("/test/bad-sql"),
                "unexpected constraint": await client.get("/test/duplicate"),
                "deadline": await client.get("/test/slow"),
                "not found": await client.get("/api/v1/nope/../../etc/passwd"),
                "no such user": await client.get("/api/v1/users/999999", headers=auth),
                "method": await client.delete("/api/v1/users/me", headers=auth),
                "no token": await client.get("/api/v1/users/me"),
                "bad token": await client.get("/api/v1/users/me", headers=bearer("a.b.c")),
                "validation": await client.post(
                    "/api/v1/auth/signup",
                    json={
                        "email": "x'; DROP TABLE users; --",
                        "password": 1,
                        "role": "root",
                        "name": "n" * 500,
                    },
                ),
                "malformed json": await client.post(
                    "/api/v1/auth/login", content=b'{"email": ', headers={"content-type": "application/json"}
                ),
                "not json": await client.post(
                    "/api/v1/auth/login", content=b"email=a", headers={"content-type": "text/plain"}
                ),
                "too large": await client.post("/api/v1/auth/login", content=b"x" * 2_000_000),
                "bad cursor": await client.get(
                    "/api/v1/users", params={"cursor": "' OR 1=1 --"}, headers=auth
                ),
                "bad id": await client.get("/api/v1/users/99999999999999999999999", headers=auth),
                "conflict": await client.post(
                    "/api/v1/auth/signup",
                    json={
                        "email": "leak@example.com",
                        "password": PASSWORD,
                        "name": "L",
                        "role": "freelancer",
                    },
                ),
                "wrong login": await client.post(
                    "/api/v1/auth/login", json={"email": "leak@example.com", "password": "nope"}
                ),
            }
    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses["crash"] == statuses["bad sql"] == statuses["unexpected constraint"] == 500, statuses
    assert statuses["deadline"] == 503 and statuses["validation"] == 422, statuses
    for name, response in answers.items():
        assert response.status_code >= 400, (name, response.status_code)
        assert response.headers["content-type"] == "application/problem+json", name
        for leak in LEAKS:
            assert leak not in response.text, (name, leak, response.text)
    # The details are in the log, for the operator.
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "unhandled error on GET /test/crash" in logged
    assert "unhandled error on GET /test/bad-sql" in logged
