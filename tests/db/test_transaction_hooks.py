"""After-commit and after-rollback hooks, on SQLite and on PostgreSQL: what follows a write (a cache
purge, a job) happens only once the write is durable, and never for a write that rolled back."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from mercenary.db import Database, IntegrityError, Query
from mercenary.db.metadata import utcnow
from mercenary.tenants.tables import organizations as orgs

insert_org = Query(
    "test.hooks.insert_org",
    sa.insert(orgs).values(
        name=sa.bindparam("name"), kind="company", invitation_code=sa.bindparam("code"), created_at=utcnow()
    ),
)
count_named = Query(
    "test.hooks.count_named",
    sa.select(sa.func.count()).select_from(orgs).where(orgs.c.name == sa.bindparam("name")),
)


async def test_after_commit_runs_once_the_write_is_visible(db: Database) -> None:
    seen: list[object] = []

    async def hook() -> None:
        # Outside the transaction: another connection already sees the committed row.
        seen.append(await db.fetch_val(count_named, name="acme"))

    async def undone() -> None:
        seen.append("after_rollback")

    async with db.transaction() as conn:
        await conn.execute(insert_org, name="acme", code="c1")
        conn.after_commit(hook)
        conn.after_rollback(undone)
        assert seen == []
    assert seen == [1]


async def test_a_rolled_back_transaction_runs_no_after_commit_hook(db: Database) -> None:
    ran: list[str] = []

    async def purged() -> None:
        ran.append("after_commit")

    async def undone() -> None:
        ran.append("after_rollback")

    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as conn:
            await conn.execute(insert_org, name="gone", code="c2")
            conn.after_commit(purged)
            conn.after_rollback(undone)
            raise RuntimeError("boom")
    assert ran == ["after_rollback"]
    assert await db.fetch_val(count_named, name="gone") == 0


async def test_a_failed_statement_rolls_back_without_hooks(db: Database) -> None:
    ran: list[str] = []

    async def purged() -> None:
        ran.append("after_commit")

    await db.execute(insert_org, name="first", code="same")
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            conn.after_commit(purged)
            await conn.execute(insert_org, name="second", code="same")  # unique invitation code
    assert ran == []
    # The next transaction starts clean: no hook carried over from the failed one.
    async with db.transaction() as conn:
        await conn.execute(insert_org, name="third", code="other")
    assert ran == []


async def test_hooks_run_in_order_and_a_failing_one_is_logged_not_raised(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[int] = []

    async def first() -> None:
        ran.append(1)

    async def broken() -> None:
        raise ConnectionError("cache down")

    async def last() -> None:
        ran.append(3)

    with caplog.at_level(logging.ERROR, logger="mercenary.db"):
        async with db.transaction() as conn:
            await conn.execute(insert_org, name="ordered", code="c3")
            for hook in (first, broken, last):
                conn.after_commit(hook)
    assert ran == [1, 3]
    assert "after-commit hook" in caplog.text
    assert await db.fetch_val(count_named, name="ordered") == 1  # the write stands


async def test_hooks_need_a_transaction(db: Database) -> None:
    async with db.transaction() as conn:
        pass

    async def hook() -> None:
        return None

    with pytest.raises(RuntimeError, match=r"db\.transaction"):
        conn.after_commit(hook)  # the transaction is over
