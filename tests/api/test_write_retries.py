"""The request path's writes run on ``run_transaction`` (DB-7): a transient failure before COMMIT,
forced on the real servers (a PostgreSQL connection terminated by the server mid-statement, an
SQLite writer lock held by another connection), runs the write again, and it lands exactly once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
import sqlalchemy as sa

from mercenary.app import create_app
from mercenary.db import Database
from tests.api.helpers import bearer, signup
from tests.conftest import make_settings

PROJECT = {"title": "Build a shop", "description": "An online shop with payments.", "budget": 100}
TERMINATE_WAITING = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE application_name = 'mercenary' AND wait_event_type = 'Lock'"
)


async def count(db: Database, table: str, where: str = "") -> int:
    query = sa.text(f"SELECT count(*) AS n FROM {table} {where}").columns(n=sa.Integer)
    return int(await db.fetch_val(query))


async def served(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    # A short SQLite busy wait, so that the lock below outlasts it and the unit is what retries;
    # a retry budget longer than the lock.
    values: dict[str, object] = {
        "SQLITE_BUSY_TIMEOUT_MS": 20,
        "DB_RETRY_ATTEMPTS": 10,
        "DB_RETRY_BUDGET_MS": 3_000,
        "DB_STATEMENT_TIMEOUT_MS": 3_000,
    }
    settings = make_settings(database_url, **values)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, application.state.mercenary.db


@pytest.fixture
async def served_app(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    async for pair in served(database_url):
        yield pair


async def locked_projects(database_url: str) -> asyncpg.Connection:
    holder = await asyncpg.connect(database_url)
    await holder.execute("BEGIN")
    await holder.execute("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE")
    return holder


async def terminate_waiting(holder: asyncpg.Connection) -> None:
    """Once the app's statement waits on the lock, the server cuts its connection; then the lock goes."""
    for _ in range(100):
        await asyncio.sleep(0.02)
        if await holder.fetchval(TERMINATE_WAITING.replace("pg_terminate_backend(pid)", "count(*)")):
            break
    assert await holder.fetchval(TERMINATE_WAITING)
    await holder.execute("ROLLBACK")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_creation_cut_before_commit_runs_again_and_lands_once(
    served_app: tuple[httpx.AsyncClient, Database], database_url: str
) -> None:
    client, db = served_app
    headers = {
        **bearer((await signup(client, "owner@example.com"))["access_token"]),
        "Idempotency-Key": "c-1",
    }
    holder = await locked_projects(database_url)
    try:
        write = asyncio.create_task(client.post("/api/v1/projects", json=PROJECT, headers=headers))
        await terminate_waiting(holder)
        response = await write
    finally:
        await holder.close()
    assert response.status_code == 201, response.text
    assert await count(db, "projects") == 1
    assert await count(db, "idempotency_keys", "WHERE status = 201") == 1
    # The retry recorded the response of the attempt that committed: a replay gets it.
    again = await client.post("/api/v1/projects", json=PROJECT, headers=headers)
    assert (again.status_code, again.json()) == (201, response.json())
    assert await count(db, "projects") == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_update_cut_before_commit_runs_again(
    served_app: tuple[httpx.AsyncClient, Database], database_url: str
) -> None:
    client, _ = served_app
    headers = bearer((await signup(client, "owner@example.com"))["access_token"])
    project = (await client.post("/api/v1/projects", json=PROJECT, headers=headers)).json()
    holder = await locked_projects(database_url)
    try:
        write = asyncio.create_task(
            client.patch(f"/api/v1/projects/{project['id']}", json={"budget": 7}, headers=headers)
        )
        await terminate_waiting(holder)
        response = await write
    finally:
        await holder.close()
    assert response.status_code == 200 and response.json()["budget"] == 7


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_writes_wait_out_an_sqlite_lock_held_by_another_process(
    served_app: tuple[httpx.AsyncClient, Database], database_url: str
) -> None:
    client, db = served_app
    ann = await signup(client, "owner@example.com")
    headers = bearer(ann["access_token"])
    project = (await client.post("/api/v1/projects", json=PROJECT, headers=headers)).json()
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's writer, for 0.3 s (the busy wait is 20 ms)
    asyncio.get_running_loop().call_later(0.3, holder.execute, "ROLLBACK")
    try:
        created, updated, signed_up = await asyncio.gather(
            client.post("/api/v1/projects", json=PROJECT, headers={**headers, "Idempotency-Key": "s-1"}),
            client.patch(f"/api/v1/projects/{project['id']}", json={"budget": 9}, headers=headers),
            client.post(
                "/api/v1/auth/signup",
                json={
                    "email": "bob@example.com",
                    "password": "correct horse battery",
                    "name": "Bob",
                    "role": "freelancer",
                },
                headers={"Idempotency-Key": "s-2"},
            ),
        )
    finally:
        holder.close()
    assert created.status_code == 201, created.text
    assert updated.status_code == 200 and updated.json()["budget"] == 9
    assert signed_up.status_code == 201, signed_up.text
    assert await count(db, "projects") == 2
    assert await count(db, "users", "WHERE email = 'bob@example.com'") == 1
    # The sign-up's answer is the one that committed: its tokens work.
    me = await client.get("/api/v1/users/me", headers=bearer(signed_up.json()["access_token"]))
    assert me.status_code == 200
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": signed_up.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
