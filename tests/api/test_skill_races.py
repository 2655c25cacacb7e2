"""A skill deleted while profiles and projects are read and written (PostgreSQL, where these run
concurrently; SQLite has one writer and reads a snapshot per statement as well). Other writers are
raw connections running the statements the service runs, so the interleavings are forced."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from mercenary.app import create_app
from tests.api.catalog import admin_headers, create_taxonomy, freelancer, profile_body
from tests.api.helpers import assert_problem, bearer, signup
from tests.conftest import make_settings

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
TIMEOUT_MS = 1_500


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    # A short statement timeout, so a starved statement shows within the test's time.
    application = create_app(make_settings(database_url, DB_STATEMENT_TIMEOUT_MS=TIMEOUT_MS, DB_POOL_SIZE=8))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def admin(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    headers = await admin_headers(app, client)
    await create_taxonomy(client, headers)
    return headers


def profile(user_id: int) -> str:
    return f"/api/v1/freelancers/{user_id}/profile"


async def test_a_skill_deleted_under_a_profile_write_is_unknown_skill(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    user_id, headers = await freelancer(client, "fred@example.com")
    deleter = await asyncpg.connect(database_url)
    try:
        await deleter.execute("BEGIN")
        await deleter.execute("DELETE FROM skills WHERE slug = 'rust'")
        # The write resolves "rust" (still committed), then its link waits on the deleting transaction.
        write = asyncio.create_task(
            client.put(profile(user_id), json=profile_body(skills=["rust"]), headers=headers)
        )
        await asyncio.sleep(0.5)
        assert not write.done()
        await deleter.execute("COMMIT")
        response = await write
    finally:
        await deleter.close()
    assert_problem(response, 422, "unknown_skill")
    assert_problem(await client.get(profile(user_id), headers=headers), 404, "not_found")  # nothing stored


async def test_a_skill_deleted_under_a_project_write_is_unknown_skill(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    owner = bearer((await signup(client, "owner@example.com"))["access_token"])
    body = {"title": "A shop", "description": "An online shop.", "budget": 10, "skills": ["rust"]}
    deleter = await asyncpg.connect(database_url)
    try:
        await deleter.execute("BEGIN")
        await deleter.execute("DELETE FROM skills WHERE slug = 'rust'")
        write = asyncio.create_task(client.post("/api/v1/projects", json=body, headers=owner))
        await asyncio.sleep(0.5)
        assert not write.done()
        await deleter.execute("COMMIT")
        response = await write
    finally:
        await deleter.close()
    assert_problem(response, 422, "unknown_skill")
    assert (await client.get("/api/v1/projects", headers=owner)).json()["items"] == []


async def test_deleting_a_skill_under_a_stream_of_link_writes_completes(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    taxonomy = (await client.get("/api/v1/skills", headers=admin)).json()
    skill_id = next(s["id"] for s in taxonomy if s["slug"] == "rust")
    users = []
    for i in range(6):
        user_id, headers = await freelancer(client, f"w{i}@example.com")
        put = await client.put(profile(user_id), json=profile_body(skills=["python"]), headers=headers)
        assert put.status_code == 200, put.text
        users.append(user_id)
    stop = asyncio.Event()

    async def writer(user_id: int) -> int:
        # What put_profile does to the links, back to back: each transaction holds a KEY SHARE lock
        # on the skill's row from its insert to its commit, and they overlap.
        conn = await asyncpg.connect(database_url)
        done = 0
        try:
            while not stop.is_set():
                try:
                    async with conn.transaction():
                        await conn.execute("DELETE FROM profile_skills WHERE user_id = $1", user_id)
                        await conn.execute("INSERT INTO profile_skills VALUES ($1, $2)", user_id, skill_id)
                        await asyncio.sleep(0)
                    done += 1
                except asyncpg.ForeignKeyViolationError:
                    return done  # the skill is gone
                except asyncpg.InFailedSQLTransactionError:
                    return done
        finally:
            await conn.close()
        return done

    writers = [asyncio.create_task(writer(u)) for u in users]
    await asyncio.sleep(0.5)  # the stream is flowing
    started = time.monotonic()
    response = await client.delete(f"/api/v1/skills/{skill_id}", headers=admin)
    elapsed = time.monotonic() - started
    stop.set()
    counts = await asyncio.gather(*writers)
    assert sum(counts) > 0
    assert response.status_code == 204, response.text
    assert elapsed < TIMEOUT_MS / 1000
    assert all(s["slug"] != "rust" for s in (await client.get("/api/v1/skills", headers=admin)).json())


async def test_reading_profiles_while_skills_come_and_go_never_fails(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    user_id, headers = await freelancer(client, "fred@example.com")
    assert (await client.put(profile(user_id), json=profile_body(), headers=headers)).status_code == 200
    stop = asyncio.Event()

    async def churn() -> int:
        # A skill linked to the profile and deleted again, over and over: a reader that takes the
        # links in one statement and the slugs in another meets a link whose skill is gone.
        conn = await asyncpg.connect(database_url)
        rounds = 0
        try:
            while not stop.is_set():
                async with conn.transaction():
                    skill = await conn.fetchval(
                        "INSERT INTO skills (slug, name, category, created_at) "
                        "VALUES ('churn', 'Churn', 'x', now()) RETURNING id"
                    )
                    await conn.execute("INSERT INTO profile_skills VALUES ($1, $2)", user_id, skill)
                await conn.execute("DELETE FROM skills WHERE id = $1", skill)
                rounds += 1
        finally:
            await conn.close()
        return rounds

    churners = [asyncio.create_task(churn())]
    statuses: list[int] = []
    try:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            got = await asyncio.gather(
                *(client.get(profile(user_id), headers=headers) for _ in range(4)),
                client.get("/api/v1/freelancers", headers=headers),
            )
            statuses += [r.status_code for r in got]
    finally:
        stop.set()
        rounds = sum(await asyncio.gather(*churners))
    assert rounds > 20
    assert set(statuses) == {200}, sorted(set(statuses))
