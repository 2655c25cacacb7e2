"""The database failing in a way worth a retry (statement timeout, lock wait, deadlock,
serialization failure, lost connection) is a 503 problem with ``Retry-After``, not a 500
(``web/middleware/protocol.crash_response``). Forced on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import asyncpg
import httpx
import orjson
import pytest
from fastapi import FastAPI

from mercenary.app import create_app
from mercenary.web.middleware.protocol import crash_response
from tests.api.helpers import assert_problem, bearer, signup
from tests.conftest import make_settings

PROJECT = {
    "title": "Build a shop",
    "description": "An online shop with payments.",
    "budget": 100,
    "skills": [],
}


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    # No retries: what the client gets once retrying has given up (tests/api/test_write_retries.py
    # has the retries themselves).
    settings = make_settings(database_url, DB_STATEMENT_TIMEOUT_MS=1_000, DB_RETRY_ATTEMPTS=1)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_statement_timeout_is_503_database_busy(client: httpx.AsyncClient, database_url: str) -> None:
    headers = bearer((await signup(client, "owner@example.com"))["access_token"])
    project = (await client.post("/api/v1/projects", json=PROJECT, headers=headers)).json()
    holder = await asyncpg.connect(database_url)
    try:
        await holder.execute("BEGIN")
        await holder.execute("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE")
        response = await client.patch(
            f"/api/v1/projects/{project['id']}", json={"budget": 7}, headers=headers
        )
        await holder.execute("ROLLBACK")
    finally:
        await holder.close()
    assert_problem(response, 503, "database_busy")
    assert response.headers["retry-after"] == "1"
    assert response.headers["cache-control"] == "no-store"
    # Nothing changed, and the service answers again once the lock is gone.
    again = await client.get(f"/api/v1/projects/{project['id']}", headers=headers)
    assert again.status_code == 200 and again.json()["budget"] == 100


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_lost_connection_is_503_database_unavailable(
    client: httpx.AsyncClient, database_url: str
) -> None:
    headers = bearer((await signup(client, "owner@example.com"))["access_token"])
    project = (await client.post("/api/v1/projects", json=PROJECT, headers=headers)).json()
    holder = await asyncpg.connect(database_url)
    try:
        await holder.execute("BEGIN")
        await holder.execute("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE")
        write = asyncio.create_task(
            client.patch(f"/api/v1/projects/{project['id']}", json={"budget": 7}, headers=headers)
        )
        await asyncio.sleep(0.2)
        # The app's connection is cut by the server mid-statement (a failover, a restart).
        await holder.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'mercenary' AND wait_event_type = 'Lock'"
        )
        response = await write
        await holder.execute("ROLLBACK")
    finally:
        await holder.close()
    assert_problem(response, 503, "database_unavailable")
    assert response.headers["retry-after"] == "5"
    # The pool replaces the connection by itself; nothing was changed.
    again = await client.get(f"/api/v1/projects/{project['id']}", headers=headers)
    assert again.status_code == 200 and again.json()["budget"] == 100


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (asyncpg.DeadlockDetectedError("deadlock detected"), "database_busy"),
        (asyncpg.SerializationError("could not serialize access"), "database_busy"),
        (asyncpg.QueryCanceledError("canceling statement due to statement timeout"), "database_busy"),
        (asyncpg.LockNotAvailableError("could not obtain lock"), "database_busy"),
        (TimeoutError(), "database_busy"),
        (asyncpg.ConnectionDoesNotExistError("connection was closed"), "database_unavailable"),
        (asyncpg.CannotConnectNowError("the database system is starting up"), "database_unavailable"),
        (ConnectionRefusedError(), "database_unavailable"),
        (sqlite3.OperationalError("database is locked"), "database_busy"),
        (sqlite3.OperationalError('near "SELEC": syntax error'), "internal_error"),
        (RuntimeError("a bug"), "internal_error"),
    ],
)
def test_each_failure_gets_its_code(exc: BaseException, code: str) -> None:
    # Deadlocks and serialization failures need two racing transactions to force; the class of
    # what asyncpg raises for them is what decides the answer.
    response = crash_response(exc, "GET", "/x")
    assert orjson.loads(response.body)["code"] == code
    assert response.status_code == (500 if code == "internal_error" else 503)
    assert ("retry-after" in response.headers) == (code != "internal_error")
