"""Run and check migrations programmatically (``mercenary migrate``; the schema-drift test)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from mercenary.db.urls import backend_name, sqlalchemy_url

MIGRATIONS = Path(__file__).with_name("migrations")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out what the migrations manage by hand per dialect: search columns, indexes and tables."""
    name = name or ""
    return name != "search_vector" and not name.startswith(("fts_", "ix_fts_", "sqlite_"))


def alembic_config(url: str) -> Config:
    """An Alembic config for ``url`` pointing at the package's migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``. Blocking: call it outside the event loop."""
    if backend_name(url) == "sqlite":
        from mercenary.db.sqlite import sqlite_path

        Path(sqlite_path(url)).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Step the database at ``url`` back to ``revision``."""
    command.downgrade(alembic_config(url), revision)


def schema_diff(url: str) -> list[Any]:
    """Differences between the tables in code and the migrated database (empty when they agree)."""
    from mercenary.schema import metadata

    async def _diff() -> list[Any]:
        engine = create_async_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
        async with engine.connect() as conn:

            def compare(sync_conn: Any) -> list[Any]:
                ctx = MigrationContext.configure(
                    sync_conn, opts={"compare_type": True, "include_object": include_object}
                )
                return list(compare_metadata(ctx, metadata))

            diff = await conn.run_sync(compare)
        await engine.dispose()
        return diff

    return asyncio.run(_diff())
