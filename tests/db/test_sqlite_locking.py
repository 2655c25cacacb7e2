"""SQLite runs in the event loop, so waiting for another process's write lock must not block it:
the writer retries ``BEGIN IMMEDIATE`` with asyncio sleeps and gives up with DatabaseBusyError."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mercenary.db import Database, DatabaseBusyError, open_database
from mercenary.db.metadata import utcnow
from mercenary.tenants.tables import organizations
from tests.conftest import make_settings

INSERT = sa.insert(organizations).values(
    name="o", kind="company", invitation_code=sa.bindparam("code"), created_at=sa.bindparam("t")
)


@pytest.fixture
async def sqlite_db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "lock.db"
    shutil.copyfile(sqlite_template, path)
    db = open_database(make_settings(f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_MS=300))
    await db.connect()
    yield db
    await db.close()


def hold_write_lock(db: Database) -> sqlite3.Connection:
    other = sqlite3.connect(db.url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_waiting_for_the_lock_keeps_the_loop_free(sqlite_db: Database) -> None:
    other = hold_write_lock(sqlite_db)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    loop = asyncio.get_running_loop()
    loop.call_later(0.1, other.rollback)  # the other process lets go after 100 ms
    async with sqlite_db.transaction() as conn:
        await conn.execute(INSERT, code="a", t=utcnow())
    task.cancel()
    other.close()
    assert ticks >= 5  # the loop kept running while the writer waited
    assert await sqlite_db.fetch_val(sa.select(sa.func.count()).select_from(organizations)) == 1


async def test_a_lock_held_past_the_timeout_is_a_busy_error(sqlite_db: Database) -> None:
    other = hold_write_lock(sqlite_db)
    try:
        with pytest.raises(DatabaseBusyError):
            await sqlite_db.execute(INSERT, code="b", t=utcnow())
    finally:
        other.rollback()
        other.close()
    # Reads never waited, and the writer works again once the lock is free.
    assert await sqlite_db.fetch_val(sa.select(sa.func.count()).select_from(organizations)) == 0
    await sqlite_db.execute(INSERT, code="c", t=utcnow())


async def test_busy_database_is_a_503_with_retry_after(sqlite_template: Path, tmp_path: Path) -> None:
    import httpx

    from mercenary.app import create_app

    path = tmp_path / "busy.db"
    shutil.copyfile(sqlite_template, path)
    app = create_app(make_settings(f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_MS=100))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        other = hold_write_lock(app.state.mercenary.db)
        try:
            body = {
                "email": "a@example.com",
                "password": "a long password",
                "name": "A",
                "role": "freelancer",
            }
            response = await client.post("/api/v1/auth/signup", json=body)
        finally:
            other.rollback()
            other.close()
    assert response.status_code == 503
    assert response.json()["code"] == "database_busy" and response.headers["retry-after"] == "1"


async def test_opening_waits_for_a_lock_held_at_start_up(tmp_path: Path) -> None:
    # Another process (a sibling worker) holds the file while this one opens it: the switch to WAL
    # waits for it, up to SQLITE_BUSY_TIMEOUT_MS, instead of failing the start.
    path = tmp_path / "start.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.2, other.rollback)
    release.start()
    db = open_database(make_settings(f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_MS=5_000))
    try:
        await db.connect()
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        release.join()
        other.close()
        await db.close()
