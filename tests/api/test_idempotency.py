"""Idempotency keys over HTTP (API-7), on SQLite and PostgreSQL: a retry gets the first response and
creates nothing; another request under the key is a 422; a duplicate in flight is a 409; keys hold
across app instances and processes, expire, and are purged."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.app import create_app
from mercenary.cli import main
from mercenary.db import Database
from mercenary.db.metadata import utcnow
from mercenary.idempotency.tables import idempotency_keys
from mercenary.settings import Settings
from mercenary_perf.rig.procs import stop
from tests.api.helpers import PASSWORD, assert_problem, bearer, signup
from tests.api.test_cache_across_processes import _serve
from tests.conftest import in_thread

PROJECTS = "/api/v1/projects"
SIGNUP = "/api/v1/auth/signup"
PROJECT = {
    "title": "Build a web shop",
    "description": "A shop with payments and an admin page.",
    "budget": 5000,
}
NEWCOMER = {"email": "new@example.com", "password": PASSWORD, "name": "New", "role": "freelancer"}


async def count(db: Database, table: str) -> int:
    return int(await db.fetch_val(sa.text(f"SELECT count(*) AS n FROM {table}").columns(n=sa.Integer)))


def keyed(token: str, key: str) -> dict[str, str]:
    return {**bearer(token), "Idempotency-Key": key}


async def test_a_retry_gets_the_first_response_and_creates_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    ann = await signup(client, "ann@example.com")
    first = await client.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "k-1"))
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    for _ in range(2):
        again = await client.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "k-1"))
        assert (again.status_code, again.content) == (201, first.content)
        assert again.headers["idempotent-replayed"] == "true"
        assert again.headers["content-type"] == "application/json"
    assert await count(db, "projects") == 1
    # Keys are the caller's own: another user's k-1 is another key.
    bob = await signup(client, "bob@example.com")
    theirs = await client.post(PROJECTS, json=PROJECT, headers=keyed(bob["access_token"], "k-1"))
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    # Without a key nothing changes: two posts, two projects.
    for _ in range(2):
        assert (
            await client.post(PROJECTS, json=PROJECT, headers=bearer(ann["access_token"]))
        ).status_code == 201
    assert await count(db, "projects") == 4
    assert await count(db, "idempotency_keys") == 2


async def test_the_same_key_with_another_request_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    ann = await signup(client, "ann@example.com")
    headers = keyed(ann["access_token"], "k-2")
    assert (await client.post(PROJECTS, json=PROJECT, headers=headers)).status_code == 201
    other = await client.post(PROJECTS, json={**PROJECT, "budget": 6000}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert await count(db, "projects") == 1
    for bad in (b"", b"x" * 256, b"with space", "naïve".encode()):  # 1-255 visible ASCII characters
        raw = [(b"Authorization", f"Bearer {ann['access_token']}".encode()), (b"Idempotency-Key", bad)]
        assert_problem(await client.post(PROJECTS, json=PROJECT, headers=raw), 422, "validation_error")
    assert await count(db, "projects") == 1


async def test_a_failed_request_stores_nothing_and_frees_its_key(
    client: httpx.AsyncClient, db: Database
) -> None:
    ann = await signup(client, "ann@example.com")
    headers = keyed(ann["access_token"], "k-3")
    for _ in range(2):  # not replayed: the write rolled back, so the retry runs again
        failed = await client.post(PROJECTS, json={**PROJECT, "skills": ["no-such-skill"]}, headers=headers)
        assert_problem(failed, 422, "unknown_skill")
        assert "idempotent-replayed" not in failed.headers
    assert await count(db, "idempotency_keys") == 0
    assert (await client.post(PROJECTS, json=PROJECT, headers=headers)).status_code == 201
    assert await count(db, "projects") == 1


async def test_a_duplicate_in_flight_gets_409(client: httpx.AsyncClient, db: Database) -> None:
    # Two real concurrent sign-ups with one key: the first holds its claim while its password is
    # hashed, and the second arrives meanwhile. The hash waits until the second has its answer, so
    # the first cannot finish before the second has claimed (on a fast machine it could).
    headers = {"Idempotency-Key": "signup-1"}
    state = client._transport.app.state.mercenary  # type: ignore[attr-defined]
    hash_password = state.hasher.hash
    second_answered = asyncio.Event()

    async def slow_hash(password: str) -> str:
        await second_answered.wait()
        hashed: str = await hash_password(password)
        return hashed

    async def post() -> httpx.Response:
        answer = await client.post(SIGNUP, json=NEWCOMER, headers=headers)
        second_answered.set()  # whichever answers first is the one that did not hash
        return answer

    state.hasher.hash = slow_hash
    try:
        answers = await asyncio.wait_for(asyncio.gather(post(), post()), 30)
    finally:
        del state.hasher.hash
    assert sorted(r.status_code for r in answers) == [201, 409]
    conflict = next(r for r in answers if r.status_code == 409)
    assert_problem(conflict, 409, "idempotency_key_in_flight")
    assert conflict.headers["retry-after"] == "1"
    created = next(r for r in answers if r.status_code == 201)
    retry = await client.post(SIGNUP, json=NEWCOMER, headers=headers)
    assert (retry.status_code, retry.headers["idempotent-replayed"]) == (201, "true")
    assert retry.json()["user"] == created.json()["user"]
    assert await count(db, "users") == 1
    # The stored answer holds no live session: a replay gets a new pair, and both pairs work.
    first, again = created.json(), retry.json()
    assert again["refresh_token"] != first["refresh_token"]
    stored = [row["body"] for row in await db.fetch_all(sa.select(idempotency_keys.c.body))]
    assert stored and not any(first["refresh_token"].encode() in bytes(body) for body in stored)
    assert not any(first["access_token"].encode() in bytes(body) for body in stored)
    for pair in (first, again):
        me = await client.get("/api/v1/users/me", headers=bearer(pair["access_token"]))
        assert me.status_code == 200
    # An anonymous caller's keys belong to its address: from elsewhere the key is another key.
    app = client._transport.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=("198.51.100.4", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as elsewhere:
        assert_problem(await elsewhere.post(SIGNUP, json=NEWCOMER, headers=headers), 409, "email_taken")


async def test_a_claim_left_by_a_dead_request_is_taken_over(client: httpx.AsyncClient, db: Database) -> None:
    ann = await signup(client, "ann@example.com")
    user = f"user:{ann['user']['id']}"
    insert = sa.text(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at, expires_at) "
        "VALUES (:scope, :key, 'f', :created, :expires)"
    )
    async with db.transaction() as conn:
        for key, age in (("stale", timedelta(minutes=5)), ("fresh", timedelta(seconds=1))):
            created = utcnow() - age
            await conn.execute(
                insert.bindparams(scope=user, key=key, created=created, expires=created + timedelta(days=1))
            )
    assert (
        await client.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "stale"))
    ).status_code == 201
    # In flight for a second, and for another request (its fingerprint differs): 422, not 409.
    fresh = await client.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "fresh"))
    assert_problem(fresh, 422, "idempotency_key_reused")
    assert await count(db, "projects") == 1


async def test_keys_hold_across_app_instances(settings: Settings, db: Database) -> None:
    apps = [create_app(settings) for _ in range(2)]
    contexts = [app.router.lifespan_context(app) for app in apps]
    for ctx in contexts:
        await ctx.__aenter__()
    try:
        one, two = (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
            for app in apps
        )
        ann = await signup(one, "ann@example.com")
        first = await one.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "k-x"))
        again = await two.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "k-x"))
        assert (again.status_code, again.content) == (201, first.content)
        assert again.headers["idempotent-replayed"] == "true"
        assert await count(db, "projects") == 1
        await one.aclose()
        await two.aclose()
    finally:
        for ctx in reversed(contexts):
            await ctx.__aexit__(None, None, None)


async def test_keys_expire_and_are_purged(
    client: httpx.AsyncClient, app: FastAPI, db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = await signup(client, "ann@example.com")
    for key in ("old", "older", "current"):
        assert (
            await client.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], key))
        ).status_code == 201
    past = utcnow() - timedelta(seconds=1)
    async with db.transaction() as conn:
        await conn.execute(
            sa.text(
                "UPDATE idempotency_keys SET expires_at = :past WHERE key IN ('old', 'older')"
            ).bindparams(past=past)
        )
    # An expired key is a new key: the request runs again.
    rerun = await client.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "old"))
    assert rerun.status_code == 201 and "idempotent-replayed" not in rerun.headers
    assert await count(db, "projects") == 4
    # The opportunistic purge (one batch) and the command (everything expired).
    keys = app.state.mercenary.idempotency
    assert await keys.purge() == 1  # "older"; "old" was claimed again with a new expiry
    async with db.transaction() as conn:
        await conn.execute(sa.text("UPDATE idempotency_keys SET expires_at = :past").bindparams(past=past))
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert in_thread(main, ["purge-idempotency-keys"]) == 0
    assert await count(db, "idempotency_keys") == 0
    assert await count(db, "projects") == 4


@pytest.fixture
def two_processes(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    db = tmp_path / "shared.db"
    shutil.copyfile(sqlite_template, db)
    procs: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for name in ("a", "b"):
            proc, base = _serve(f"sqlite:///{db}", "memory://", tmp_path / f"{name}.log")
            procs.append(proc)
            bases.append(base)
        yield bases[0], bases[1]
    finally:
        for proc in procs:
            stop(proc)


def test_keys_hold_across_processes(two_processes: tuple[str, str]) -> None:
    base_a, base_b = two_processes
    with httpx.Client(base_url=base_a, timeout=10) as a, httpx.Client(base_url=base_b, timeout=10) as b:
        ann = a.post(
            SIGNUP, json={**NEWCOMER, "email": "ann@example.com", "role": "client", "organization": "Acme"}
        )
        token = ann.json()["access_token"]
        first = a.post(PROJECTS, json=PROJECT, headers=keyed(token, "across"))
        again = b.post(PROJECTS, json=PROJECT, headers=keyed(token, "across"))
        assert first.status_code == 201 and (again.status_code, again.content) == (201, first.content)
        assert again.headers["idempotent-replayed"] == "true"
        other = b.post(PROJECTS, json={**PROJECT, "budget": 1}, headers=keyed(token, "across"))
        assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
        # The same sign-up sent to both processes at once: one creates, the other is told to wait.
        headers = {"Idempotency-Key": "both"}
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda c: c.post(SIGNUP, json=NEWCOMER, headers=headers), (a, b)))
        statuses = sorted(r.status_code for r in answers)
        assert statuses in ([201, 409], [201, 201]), [r.text for r in answers]
        if statuses == [201, 201]:  # the second arrived after the first had finished: a replay
            assert answers[0].json()["user"] == answers[1].json()["user"]
        retry = b.post(SIGNUP, json=NEWCOMER, headers=headers)
        assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"


async def test_a_proposal_retry_is_replayed(client: httpx.AsyncClient, db: Database) -> None:
    ann = await signup(client, "ann@example.com")
    project = await client.post(
        PROJECTS, json={**PROJECT, "status": "open"}, headers=bearer(ann["access_token"])
    )
    fred = await signup(client, "fred@example.com", role="freelancer")
    bid = {"cover_letter": "I have built many shops like this one.", "price": 4500}
    url = f"/api/v1/projects/{project.json()['id']}/proposals"
    first = await client.post(url, json=bid, headers=keyed(fred["access_token"], "bid"))
    again = await client.post(url, json=bid, headers=keyed(fred["access_token"], "bid"))
    assert first.status_code == 201 and (again.status_code, again.content) == (201, first.content)
    assert await count(db, "proposals") == 1
    # Without the key the second bid is the domain's own conflict, as before.
    assert_problem(
        await client.post(url, json=bid, headers=bearer(fred["access_token"])), 409, "proposal_exists"
    )


async def test_completing_a_key_purges_expired_ones_now_and_then(
    client: httpx.AsyncClient, app: FastAPI, db: Database
) -> None:
    keys = app.state.mercenary.idempotency
    ann = await signup(client, "ann@example.com")
    assert (
        await client.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "a"))
    ).status_code == 201
    async with db.transaction() as conn:
        past = utcnow() - timedelta(seconds=1)
        await conn.execute(sa.text("UPDATE idempotency_keys SET expires_at = :past").bindparams(past=past))
    keys._next_purge = 0.0  # as if PURGE_EVERY_S had passed since this process last purged
    assert (
        await client.post(PROJECTS, json=PROJECT, headers=keyed(ann["access_token"], "b"))
    ).status_code == 201
    await keys.close()  # waits for the background purge
    rows = await db.fetch_all(sa.text("SELECT key FROM idempotency_keys").columns(key=sa.String))
    assert [r["key"] for r in rows] == ["b"]
    assert keys._next_purge > 0.0  # and not again for a while
