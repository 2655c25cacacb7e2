"""One Alembic history serves both dialects, and it matches the tables in code."""

from __future__ import annotations

from mercenary.db.migrate import downgrade, schema_diff, upgrade
from tests.conftest import in_thread


async def test_tables_and_migrations_agree(database_url: str) -> None:
    assert in_thread(schema_diff, database_url) == []


async def test_downgrade_to_base_and_back(database_url: str) -> None:
    in_thread(downgrade, database_url, "base")
    assert in_thread(schema_diff, database_url) != []
    in_thread(upgrade, database_url)
    assert in_thread(schema_diff, database_url) == []
