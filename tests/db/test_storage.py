"""The storage contract: one suite, run on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from mercenary.db import Database, IntegrityError, Query
from mercenary.tenants.tables import organizations as orgs
from mercenary.users.tables import users
from tests.support.statements import assert_statement_count

insert_org = Query(
    "test.insert_org",
    sa.insert(orgs)
    .values(
        name=sa.bindparam("name"),
        kind="company",
        invitation_code=sa.bindparam("code"),
        created_at=sa.bindparam("created_at"),
    )
    .returning(orgs.c.id, orgs.c.name, orgs.c.created_at),
)
get_org = Query(
    "test.get_org",
    sa.select(orgs.c.id, orgs.c.name, orgs.c.created_at).where(orgs.c.id == sa.bindparam("id")),
)
list_orgs = Query(
    "test.list_orgs", sa.select(orgs.c.id, orgs.c.name).order_by(orgs.c.id).limit(sa.bindparam("limit"))
)
rename = Query(
    "test.rename", sa.update(orgs).where(orgs.c.name == sa.bindparam("old")).values(name=sa.bindparam("new"))
)
count_orgs = Query("test.count", sa.select(sa.func.count()).select_from(orgs))
insert_user = Query(
    "test.insert_user",
    sa.insert(users)
    .values(
        tenant_id=sa.bindparam("tenant_id"),
        email=sa.bindparam("email"),
        name="x",
        role="client",
        password_hash="h",
        created_at=sa.bindparam("created_at"),
    )
    .returning(users.c.id, users.c.is_active),
)

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


async def add_org(db: Database, name: str, when: datetime = NOW) -> int:
    async with db.transaction() as conn:
        row = await conn.fetch_one(insert_org, name=name, code=name, created_at=when)
    assert row is not None
    return int(row["id"])


async def test_round_trip_keeps_types(db: Database) -> None:
    org_id = await add_org(db, "acme")
    row = await db.fetch_one(get_org, id=org_id)
    assert row == {"id": org_id, "name": "acme", "created_at": NOW}
    assert row["created_at"].tzinfo is not None
    async with db.transaction() as conn:
        user = await conn.fetch_one(insert_user, tenant_id=org_id, email="a@x.test", created_at=NOW)
    assert user is not None and user["is_active"] is True


async def test_timestamps_from_other_zones_are_stored_as_utc(db: Database) -> None:
    local = NOW.astimezone(__import__("datetime").timezone(timedelta(hours=5)))
    org_id = await add_org(db, "zoned", local)
    row = await db.fetch_one(get_org, id=org_id)
    assert row is not None and row["created_at"] == NOW and row["created_at"].utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        await add_org(db, "naive", NOW.replace(tzinfo=None))


async def test_missing_and_default_parameters(db: Database) -> None:
    with pytest.raises(TypeError, match="missing query parameter"):
        await db.fetch_one(get_org)
    assert await db.fetch_one(get_org, id=12345) is None
    assert await db.fetch_val(get_org, id=12345) is None


async def test_fetch_all_limit_and_order(db: Database) -> None:
    for name in ("b", "a", "c"):
        await add_org(db, name)
    rows = await db.fetch_all(list_orgs, limit=2)
    assert [r["name"] for r in rows] == ["b", "a"]
    assert await db.fetch_val(count_orgs) == 3


async def test_execute_reports_rowcount(db: Database) -> None:
    await add_org(db, "x1")
    assert await db.execute(rename, old="x1", new="y1") == 1
    assert await db.execute(rename, old="nope", new="z") == 0


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.fetch_one(insert_org, name="ghost", code="ghost", created_at=NOW)
            raise RuntimeError("boom")
    assert await db.fetch_val(count_orgs) == 0


async def test_unique_violation_is_an_integrity_error_and_keeps_nothing(db: Database) -> None:
    await add_org(db, "dup")
    with pytest.raises(IntegrityError) as info:
        async with db.transaction() as conn:
            await conn.fetch_one(insert_org, name="other", code="fresh", created_at=NOW)
            await conn.fetch_one(insert_org, name="dup", code="dup", created_at=NOW)
    assert "invitation_code" in (info.value.constraint or str(info.value))
    assert await db.fetch_val(count_orgs) == 1


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            await conn.fetch_one(insert_user, tenant_id=999_999, email="b@x.test", created_at=NOW)


async def test_execute_many_inserts_every_row(db: Database) -> None:
    plain = Query(
        "test.plain_insert",
        sa.insert(orgs).values(
            name=sa.bindparam("name"),
            kind="company",
            invitation_code=sa.bindparam("code"),
            created_at=sa.bindparam("t"),
        ),
    )
    await db.execute_many(plain, [{"name": f"n{i}", "code": f"c{i}", "t": NOW} for i in range(50)])
    await db.execute_many(plain, [])
    assert await db.fetch_val(count_orgs) == 50


async def test_ad_hoc_statement_with_expanding_in(db: Database) -> None:
    ids = [await add_org(db, n) for n in ("p", "q", "r")]
    stmt = (
        sa.select(orgs.c.name).where(orgs.c.id.in_(sa.bindparam("ids", expanding=True))).order_by(orgs.c.name)
    )
    rows = await db.fetch_all(stmt, ids=ids[:2])
    assert [r["name"] for r in rows] == ["p", "q"]
    async with db.transaction() as conn:
        assert await conn.fetch_val(sa.select(sa.func.count()).select_from(orgs)) == 3


async def test_queries_are_counted(db: Database) -> None:
    with assert_statement_count(db, 3):
        await db.fetch_one(get_org, id=1)
        async with db.transaction() as conn:
            await conn.fetch_all(list_orgs, limit=1)
            await conn.execute(rename, old="a", new="b")


async def test_ping(db: Database) -> None:
    await db.ping()


async def test_a_released_postgres_connection_is_not_reset(db: Database) -> None:
    """The pool takes a connection back without asyncpg's reset query (a round trip after every
    statement outside a transaction): session state set on it survives the release."""
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite has no pool")
    await db.fetch_val(sa.text("SELECT set_config('application_name', 'probe', false)"))
    assert await db.fetch_val(sa.text("SELECT current_setting('application_name')")) == "probe"
