"""API-8's database time: statements run for a request add their time to its clock, on both
backends; transactions' BEGIN and COMMIT count too, failed statements as well, and child tasks share
the clock. Outside a request nothing is counted."""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa

from mercenary.db import Database, IntegrityError, Query
from mercenary.db.metadata import utcnow
from mercenary.db.timing import DbClock, request_clock
from mercenary.tenants.tables import organizations

one = Query("test.one", sa.select(sa.literal(1)))
add_org = Query(
    "test.add_org",
    sa.insert(organizations).values(
        id=sa.bindparam("id"),
        name="Acme",
        kind="company",
        invitation_code=sa.bindparam("code"),
        created_at=sa.bindparam("now"),
    ),
)


async def test_statements_add_to_the_request_clock(db: Database) -> None:
    clock = DbClock()
    token = request_clock.set(clock)
    try:
        await db.fetch_val(one)
        after_read = clock.seconds
        assert after_read > 0
        await asyncio.gather(db.fetch_val(one), db.fetch_all(one))  # child tasks, same clock
        after_children = clock.seconds
        assert after_children > after_read
        async with db.transaction():
            pass  # BEGIN and COMMIT alone: round trips on PostgreSQL, the write lock on SQLite
        after_empty = clock.seconds
        assert after_empty > after_children
        with pytest.raises(LookupError):
            async with db.transaction():
                raise LookupError  # BEGIN and ROLLBACK
        assert clock.seconds > after_empty
        async with db.transaction() as conn:
            await conn.execute(add_org, id=1, code="join-acme", now=utcnow())
        before_failure = clock.seconds
        with pytest.raises(IntegrityError):
            await db.execute(add_org, id=1, code="join-acme", now=utcnow())
        assert clock.seconds > before_failure
    finally:
        request_clock.reset(token)


async def test_the_clock_holds_only_database_time(db: Database) -> None:
    clock = DbClock()
    token = request_clock.set(clock)
    try:
        started = time.perf_counter()
        await db.fetch_val(one)
        await asyncio.sleep(0.05)  # the request waits on something else
        await db.fetch_val(one)
        assert clock.seconds < (time.perf_counter() - started) - 0.04
    finally:
        request_clock.reset(token)


async def test_nothing_is_counted_outside_a_request(db: Database) -> None:
    assert request_clock.get() is None
    await db.fetch_val(one)
    async with db.transaction() as conn:
        await conn.fetch_val(one)
    assert request_clock.get() is None
