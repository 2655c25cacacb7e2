"""One Alembic history serves both dialects, and it matches the tables in code."""

from __future__ import annotations

import sqlalchemy as sa

from mercenary.db import Database, open_database
from mercenary.db.metadata import utcnow
from mercenary.db.migrate import downgrade, schema_diff, upgrade
from mercenary.projects import listing
from tests.conftest import in_thread, make_settings


async def test_tables_and_migrations_agree(database_url: str) -> None:
    assert in_thread(schema_diff, database_url) == []


async def test_downgrade_to_base_and_back(database_url: str) -> None:
    in_thread(downgrade, database_url, "base")
    assert in_thread(schema_diff, database_url) != []
    in_thread(upgrade, database_url)
    assert in_thread(schema_diff, database_url) == []


# What 0003 creates (the index of open projects, its view or function, its triggers) and what it drops
# (PostgreSQL's partial GIN index on projects).
SEARCH_OBJECTS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE name LIKE 'fts_open_projects%' AND type <> 'table' "
    "OR name = 'fts_open_projects'",
    "postgresql": "SELECT relname AS name FROM pg_class WHERE relname IN "
    "('fts_open_projects', 'ix_fts_open_projects', 'ix_fts_projects_open') "
    "UNION SELECT tgname FROM pg_trigger WHERE tgname LIKE 'fts_open_projects%' "
    "UNION SELECT proname FROM pg_proc WHERE proname = 'fts_open_projects_sync'",
}
AT_0003 = {
    "sqlite": {
        "fts_open_projects",
        "fts_open_projects_source",
        "fts_open_projects_ai",
        "fts_open_projects_ad",
        "fts_open_projects_au",
    },
    "postgresql": {
        "fts_open_projects",
        "ix_fts_open_projects",
        "fts_open_projects_ai",
        "fts_open_projects_au",
        "fts_open_projects_sync",
    },
}
AT_0002 = {"sqlite": set[str](), "postgresql": {"ix_fts_projects_open"}}
STATUSES = ("open", "draft", "closed", "open", "cancelled")


async def _search_objects(db: Database) -> set[str]:
    found = await db.fetch_all(sa.text(SEARCH_OBJECTS[db.dialect.name]).columns(name=sa.String))
    return {r["name"] for r in found}


async def _market_search(db: Database, word: str) -> list[int]:
    found = await db.fetch_all(listing._by_relevance("market", False, 0, False), search_text=[word], limit=10)
    return [r["id"] for r in found]


async def _projects(db: Database) -> None:
    now = utcnow()
    org = "INSERT INTO organizations (id, name, kind, invitation_code, created_at) VALUES (1, 'o', 'company', 'c', :t)"
    user = (
        "INSERT INTO users (id, tenant_id, email, name, role, password_hash, is_active, created_at) "
        "VALUES (1, 1, 'e@example.com', 'n', 'client', 'h', true, :t)"
    )
    project = (
        "INSERT INTO projects (id, tenant_id, owner_id, title, description, budget, status, created_at, "
        "updated_at) VALUES (:id, 1, 1, :title, 'A light.', 100, :status, :t, :t)"
    )
    async with db.transaction() as conn:
        await conn.execute(sa.text(org).bindparams(t=now))
        await conn.execute(sa.text(user).bindparams(t=now))
        for i, status in enumerate(STATUSES, start=1):
            await conn.execute(
                sa.text(project).bindparams(id=i, title=f"Lighthouse {i}", status=status, t=now)
            )


async def test_the_open_projects_index_upgrades_and_downgrades_with_data(database_url: str) -> None:
    # 0003 indexes the open projects already there, and takes the index away again cleanly.
    in_thread(downgrade, database_url, "0002")
    db = open_database(make_settings(database_url))
    await db.connect()
    try:
        dialect = db.dialect.name
        await _projects(db)
        assert await _search_objects(db) == AT_0002[dialect]
        in_thread(upgrade, database_url)
        assert await _search_objects(db) == AT_0003[dialect]
        assert await _market_search(db, "lighthouse") == [4, 1]
        if dialect == "postgresql":  # searches never scan a pending list of recent inserts
            options = (
                "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'ix_fts_open_projects'"
            )
            assert await db.fetch_val(sa.text(options)) == "fastupdate=off"
        in_thread(downgrade, database_url, "0002")
        assert await _search_objects(db) == AT_0002[dialect]
        async with db.transaction() as conn:  # no trigger is left to write to a missing index
            await conn.execute(sa.text("UPDATE projects SET status = 'closed', title = 'Gone' WHERE id = 1"))
        in_thread(upgrade, database_url)
        assert in_thread(schema_diff, database_url) == []
        assert await _market_search(db, "lighthouse") == [4]
    finally:
        await db.close()
