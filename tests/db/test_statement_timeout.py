"""DB-5: ``statement_timeout`` holds on a direct connection and behind PgBouncer in transaction mode.

Behind PgBouncer (transaction pooling) a server connection serves whichever client has a transaction
open, so a setting sent once per client connection does not follow the client: PgBouncer refuses
``statement_timeout`` as a startup parameter (or drops it when told to ignore it).
``DB_STATEMENT_TIMEOUT_MODE=transaction`` sets it with every BEGIN instead, and bounds single
statements with a client-side timeout that cancels them on the server.

The PgBouncer tests use ``through_pgbouncer`` (tests/db/conftest.py): ``pgbouncer`` on a free
loopback port in front of the session's PostgreSQL, with one server connection, so that every
client shares it; they are skipped where the binary is missing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from mercenary.db import Database, Query, open_database
from mercenary.db.metadata import utcnow
from mercenary.tenants.tables import organizations
from tests.conftest import make_settings
from tests.support.servers import PostgresServer

TIMEOUT_MS = 300
sleep = Query("test.sleep", sa.select(sa.func.pg_sleep(sa.bindparam("seconds"))))
show_timeout = Query(
    "test.show_timeout", sa.select(sa.func.current_setting("statement_timeout").label("value"))
)
count_orgs = Query("test.count_orgs", sa.select(sa.func.count()).select_from(organizations))
insert_org = Query(
    "test.insert_org",
    sa.insert(organizations).values(
        name="o", kind="company", invitation_code=sa.bindparam("code"), created_at=sa.bindparam("now")
    ),
)

# What a single statement (no transaction) raises when it runs too long: the server's cancellation,
# or asyncpg's client-side timeout (which then cancels it on the server).
SINGLE_STATEMENT_TIMEOUT: dict[str, type[Exception]] = {
    "startup": asyncpg.QueryCanceledError,
    "transaction": TimeoutError,
}


async def open_with(url: str, **settings: Any) -> Database:
    db = open_database(make_settings(url, DB_STATEMENT_TIMEOUT_MS=TIMEOUT_MS, **settings))
    await db.connect()
    return db


async def still_sleeping(admin_url: str) -> int:
    """How many backends are still running a pg_sleep (a statement the timeout did not stop)."""
    conn = await asyncpg.connect(admin_url)
    try:
        n = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        )
        return int(n)
    finally:
        await conn.close()


async def expect_timeouts(db: Database, admin_url: str, single: type[Exception]) -> None:
    """Inside a transaction the server cancels a long statement; outside one it is cut off too
    (raising ``single``), and nothing keeps running on the server."""
    async with db.transaction() as conn:
        assert await conn.fetch_val(show_timeout) == f"{TIMEOUT_MS}ms"
    with pytest.raises(asyncpg.QueryCanceledError):
        async with db.transaction() as conn:
            await conn.fetch_val(sleep, seconds=5)
    with pytest.raises(single):
        await db.fetch_val(sleep, seconds=5)
    for _ in range(50):
        if not await still_sleeping(admin_url):
            break
        await asyncio.sleep(0.05)
    assert await still_sleeping(admin_url) == 0
    # The pool is still usable, and commits and rollbacks still work.
    await db.execute(insert_org, code="kept", now=utcnow())
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(insert_org, code="rolled-back", now=utcnow())
            raise RuntimeError
    assert await db.fetch_val(count_orgs) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("mode", ["startup", "transaction"])
async def test_the_timeout_holds_on_a_direct_connection(
    database_url: str, mode: str, pg_server: PostgresServer
) -> None:
    db = await open_with(database_url, DB_STATEMENT_TIMEOUT_MODE=mode)
    try:
        await expect_timeouts(db, pg_server.admin_url, SINGLE_STATEMENT_TIMEOUT[mode])
    finally:
        await db.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_pgbouncer_refuses_the_timeout_as_a_startup_parameter(through_pgbouncer: str) -> None:
    with pytest.raises(asyncpg.ProtocolViolationError, match="statement_timeout"):
        await open_with(through_pgbouncer, DB_STATEMENT_TIMEOUT_MODE="startup", DB_STATEMENT_CACHE_SIZE=0)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_the_timeout_holds_behind_pgbouncer_in_transaction_mode(
    through_pgbouncer: str, pg_server: PostgresServer
) -> None:
    db = await open_with(
        through_pgbouncer, DB_STATEMENT_TIMEOUT_MODE="transaction", DB_STATEMENT_CACHE_SIZE=0
    )
    try:
        await expect_timeouts(db, pg_server.admin_url, TimeoutError)
        # SET LOCAL ends with its transaction: another client of the same server connection (there
        # is one) does not inherit it.
        other = await asyncpg.connect(through_pgbouncer, statement_cache_size=0)
        try:
            assert await other.fetchval("SHOW statement_timeout") == "0"
        finally:
            await other.close()
    finally:
        await db.close()
