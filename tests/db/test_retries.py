"""Transient database failures are retried where a retry is safe (DB-7, db/retry.py), forced on the
real servers: a PostgreSQL connection terminated by the server, an SQLite lock held by another
connection for less than the retry budget. What is not transient, and a COMMIT whose outcome is
unknown, is never retried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator

import asyncpg
import pytest
import sqlalchemy as sa

from mercenary.db import Connection, Database, IntegrityError, Query, open_database
from mercenary.db.metadata import utcnow
from mercenary.db.retry import RetryPolicy, retryable, run_transaction
from mercenary.settings import Settings
from mercenary.tenants.tables import organizations as orgs

backend_pid = Query("test.retry.pid", sa.select(sa.func.pg_backend_pid()))
slow_pid = Query(
    "test.retry.slow_pid",
    sa.select(sa.func.pg_backend_pid().label("pid"), sa.func.pg_sleep(0.3).label("slept")),
)
insert_org = Query(
    "test.retry.insert_org",
    sa.insert(orgs).values(
        name=sa.bindparam("name"), kind="company", invitation_code=sa.bindparam("code"), created_at=utcnow()
    ),
)
count_named = Query(
    "test.retry.count_named",
    sa.select(sa.func.count()).select_from(orgs).where(orgs.c.name == sa.bindparam("name")),
)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """One pooled connection (so the one terminated is the one the next read gets), a short SQLite
    busy wait (so the lock below outlasts it), and a retry budget longer than both."""
    tuned = settings.model_copy(
        update={
            "DB_POOL_SIZE": 1,
            "SQLITE_BUSY_TIMEOUT_MS": 20,
            "DB_RETRY_ATTEMPTS": 10,
            "DB_RETRY_BUDGET_MS": 3_000,
        }
    )
    database = open_database(tuned)
    await database.connect()
    yield database
    await database.close()


async def terminate(database_url: str, pid: int) -> None:
    admin = await asyncpg.connect(database_url)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_read_whose_connection_is_terminated_mid_statement_is_retried_on_a_new_one(
    db: Database, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "mercenary.db.retry")
    before = await db.fetch_val(backend_pid)
    read = asyncio.create_task(db.fetch_one(slow_pid))
    await asyncio.sleep(0.1)
    await terminate(database_url, before)  # the server cuts the connection under the running read
    row = await read
    assert row is not None and row["pid"] != before
    assert [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()] != []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_unit_whose_connection_is_terminated_before_commit_runs_again_and_commits_once(
    db: Database, database_url: str
) -> None:
    runs: list[int] = []

    async def unit(conn: Connection) -> None:
        pid = await conn.fetch_val(backend_pid)
        runs.append(pid)
        await conn.execute(insert_org, name="retried", code=f"c{len(runs)}")
        if len(runs) == 1:
            await terminate(database_url, pid)  # the server cuts this transaction before COMMIT
            await asyncio.sleep(0.2)  # the driver sees the connection close
            await conn.fetch_val(backend_pid)

    await run_transaction(db, unit)
    assert len(runs) == 2 and runs[0] != runs[1]
    assert await db.fetch_val(count_named, name="retried") == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_statement_timeout_is_not_retried(db: Database) -> None:
    runs = 0

    async def unit(conn: Connection) -> None:
        nonlocal runs
        runs += 1
        await conn.execute(Query("test.retry.sleep", sa.select(sa.func.pg_sleep(2))))

    with pytest.raises(asyncpg.QueryCanceledError):
        await run_transaction(db, unit)
    assert runs == 1  # a slow statement retried would only add load


async def test_an_integrity_error_is_not_retried(db: Database) -> None:
    runs = 0
    await db.execute(insert_org, name="taken", code="same")

    async def unit(conn: Connection) -> None:
        nonlocal runs
        runs += 1
        await conn.execute(insert_org, name="again", code="same")

    with pytest.raises(IntegrityError):
        await run_transaction(db, unit)
    assert runs == 1
    assert await db.fetch_val(count_named, name="again") == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_unit_waits_out_an_sqlite_lock_shorter_than_the_retry_budget(
    db: Database, database_url: str
) -> None:
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's writer, for 0.3 s
    asyncio.get_running_loop().call_later(0.3, holder.execute, "ROLLBACK")
    runs = 0

    async def unit(conn: Connection) -> None:
        nonlocal runs
        runs += 1
        await conn.execute(insert_org, name="waited", code="w1")

    try:
        await run_transaction(db, unit)
    finally:
        holder.close()
    # The busy wait (20 ms) gave up first; the unit's body only ran once it had the lock.
    assert runs == 1
    assert await db.fetch_val(count_named, name="waited") == 1


class CommitLost:
    """A database whose COMMIT fails with a lost connection: the outcome of a write that was sent
    and never answered, which no real server produces on demand."""

    retry = RetryPolicy(attempts=5, budget_s=1.0)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[object]:
        yield object()
        raise ConnectionResetError("connection lost during COMMIT")


async def test_a_failure_at_commit_is_not_retried() -> None:
    runs = 0

    async def unit(conn: object) -> None:
        nonlocal runs
        runs += 1

    with pytest.raises(ConnectionResetError):
        await run_transaction(CommitLost(), unit)  # type: ignore[arg-type]
    assert runs == 1  # the write may have committed: running it again could apply it twice


def test_what_counts_as_transient() -> None:
    assert retryable(asyncpg.SerializationError("could not serialize access"))
    assert retryable(asyncpg.DeadlockDetectedError("deadlock detected"))
    assert retryable(asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert retryable(sqlite3.OperationalError("database is locked"))
    assert retryable(ConnectionRefusedError())
    assert not retryable(asyncpg.QueryCanceledError("canceling statement due to statement timeout"))
    assert not retryable(sqlite3.OperationalError('near "SELEC": syntax error'))
    assert not retryable(TimeoutError())
    assert not RetryPolicy(attempts=1).retryable(ConnectionRefusedError())


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_connection_cut_just_before_commit_is_a_lost_connection(
    db: Database, database_url: str
) -> None:
    # The server's FATAL arrives between the last statement and COMMIT; when COMMIT goes out before
    # the driver has seen the close, asyncpg refuses it with an InternalClientError ("another
    # operation is in progress"), which was a 500. Whichever way the race goes, it is a lost
    # connection (503 database_unavailable), the unit is not run again (COMMIT's outcome is
    # unknown), and the pool goes on with a new connection.
    from mercenary.db import is_unavailable

    admin = await asyncpg.connect(database_url)
    try:
        for attempt in range(24):
            runs: list[int] = []
            pause = (attempt % 6) * 0.001

            async def unit(conn: Connection, runs: list[int] = runs, pause: float = pause) -> None:
                runs.append(1)
                await conn.execute(insert_org, name="cut", code=f"cut-{id(runs)}-{len(runs)}")
                assert await admin.fetchval(
                    "SELECT pg_terminate_backend($1)", await conn.fetch_val(backend_pid)
                )
                await asyncio.sleep(pause)

            with pytest.raises(Exception) as caught:
                await run_transaction(db, unit)
            assert is_unavailable(caught.value), repr(caught.value)
            assert len(runs) == 1
    finally:
        await admin.close()
    assert await db.fetch_val(count_named, name="cut") == 0
