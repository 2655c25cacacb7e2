"""The request deadline (RES-2) against real slow dependencies: a statement sleeping on PostgreSQL, a
write waiting for SQLite's lock held by another process. Past REQUEST_TIMEOUT_S the caller gets 503
``deadline_exceeded`` with Retry-After, and the work is cancelled: the statement stops on the server,
nothing the request would have written appears afterwards, and the app goes on serving. A wait for a
lock gives up just before the deadline instead, and the caller gets ``database_busy``."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Request

from mercenary.app import create_app
from mercenary.db import Query
from mercenary.db.metadata import utcnow
from mercenary.settings import Settings
from mercenary.skills.tables import skills
from mercenary.users.tables import users
from tests.api.helpers import PASSWORD, assert_problem
from tests.conftest import make_settings

DEADLINE_S = 0.3
SLEEP_S = 0.7  # under the statement timeout (800 ms), well past the deadline
COUNT_SKILLS = Query("t.count_skills", sa.select(sa.func.count()).select_from(skills))
COUNT_USERS = Query("t.count_users", sa.select(sa.func.count()).select_from(users))
SLEEP = Query("t.sleep", sa.select(sa.func.pg_sleep(sa.bindparam("s", type_=sa.Float))))
INSERT_SKILL = Query(
    "t.insert_skill",
    sa.insert(skills).values(slug="late", name="Late", category="test", created_at=sa.bindparam("now")),
)
ACTIVE_SLEEPS = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE query LIKE '%pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()"
)


@pytest.fixture
async def deadline_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with a short deadline, and a test-only route that sleeps in the database and then
    writes, in one transaction."""
    app = create_app(make_settings(settings.DATABASE_URL, REQUEST_TIMEOUT_S=DEADLINE_S))

    async def slow_write(request: Request) -> dict[str, bool]:
        db = request.app.state.mercenary.db
        async with db.transaction() as conn:
            await conn.execute(SLEEP, s=SLEEP_S)
            await conn.execute(INSERT_SKILL, now=utcnow())
        return {"written": True}

    app.add_api_route("/test/slow-write", slow_write, methods=["POST"])
    async with app.router.lifespan_context(app):
        yield app


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_slow_statement_is_cancelled_on_the_server(
    deadline_app: FastAPI, settings: Settings, pg_server: object
) -> None:
    db = deadline_app.state.mercenary.db
    async with client_of(deadline_app) as client:
        started = time.perf_counter()
        response = await client.post("/test/slow-write")
        elapsed = time.perf_counter() - started
        assert_problem(response, 503, "deadline_exceeded")
        assert response.headers["retry-after"] == "1"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert DEADLINE_S <= elapsed < SLEEP_S

        # The statement was cancelled on the server, long before it would have ended.
        admin = await asyncpg.connect(settings.DATABASE_URL.replace("postgresql+asyncpg", "postgresql"))
        try:
            assert await admin.fetchval(ACTIVE_SLEEPS) == 0
        finally:
            await admin.close()
        await asyncio.sleep(SLEEP_S)  # past the time the sleep would have ended
        assert await db.fetch_val(COUNT_SKILLS) == 0  # its write never happened

        # The pool is whole: the next requests are served.
        signup = await client.post(
            "/api/v1/auth/signup",
            json={"email": "after@example.com", "password": PASSWORD, "name": "A", "role": "freelancer"},
        )
        assert signup.status_code == 201


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_write_waiting_for_the_sqlite_lock_gives_up_busy_before_the_deadline(
    settings: Settings,
) -> None:
    # The lock wait (SQLITE_BUSY_TIMEOUT_MS, 5 s, and the queue behind this process's own writer)
    # ends a reserve before the deadline (0.2 s of 2 s): the request answers 503 database_busy
    # itself, not deadline_exceeded, and a write queued behind it as well (RES-5's SQLite case).
    app = create_app(make_settings(settings.DATABASE_URL, REQUEST_TIMEOUT_S=2.0))
    async with app.router.lifespan_context(app):
        await busy_before_the_deadline(app)


async def busy_before_the_deadline(deadline_app: FastAPI) -> None:
    db = deadline_app.state.mercenary.db
    other = sqlite3.connect(db.url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    body = {"email": "late@example.com", "password": PASSWORD, "name": "L", "role": "freelancer"}
    try:
        async with client_of(deadline_app) as client:
            started = time.perf_counter()
            first, queued = await asyncio.gather(
                client.post("/api/v1/auth/signup", json=body),
                client.post("/api/v1/auth/signup", json={**body, "email": "later@example.com"}),
            )
            elapsed = time.perf_counter() - started
            for response in (first, queued):
                assert_problem(response, 503, "database_busy")
                assert response.headers["retry-after"] == "1"
            assert elapsed < 4.0  # SQLITE_BUSY_TIMEOUT_MS (5 s) did not decide it
            other.rollback()  # the lock is free: a write still waiting would go through now
            await asyncio.sleep(0.3)
            assert await db.fetch_val(COUNT_USERS) == 0
            retry = await client.post("/api/v1/auth/signup", json=body)
            assert retry.status_code == 201
    finally:
        other.close()


async def test_every_operation_that_waits_on_a_dependency_documents_the_deadline(
    client: httpx.AsyncClient,
) -> None:
    doc = (await client.get("/openapi.json")).json()
    me = doc["paths"]["/api/v1/users/me"]["get"]["responses"]["503"]
    assert "`deadline_exceeded`" in me["description"] and "Retry-After" in me["headers"]
    assert "503" not in doc["paths"]["/health"]["get"]["responses"]
