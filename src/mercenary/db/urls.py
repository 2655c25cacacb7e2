"""Map a DATABASE_URL to its backend class. The mapping is data; backends are imported lazily."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from mercenary.db.base import Database
    from mercenary.settings import Settings

BACKENDS = {
    "sqlite": ("mercenary.db.sqlite:SQLiteDatabase", "sqlite+aiosqlite"),
    "postgresql": ("mercenary.db.postgres:PostgresDatabase", "postgresql+asyncpg"),
}


class UnsupportedDatabaseError(ValueError):
    """The URL names a database this project does not support."""


def backend_name(url: str) -> str:
    """``sqlite`` or ``postgresql`` for a URL with or without its driver suffix."""
    name = make_url(url).get_backend_name()
    if name == "postgres":
        name = "postgresql"
    if name not in BACKENDS:
        raise UnsupportedDatabaseError(f"unsupported database {name!r}; use sqlite:// or postgresql://")
    return name


def sqlalchemy_url(url: str) -> str:
    """The URL with the async driver SQLAlchemy uses for migrations (``+aiosqlite`` / ``+asyncpg``)."""
    parsed = make_url(url)
    return parsed.set(drivername=BACKENDS[backend_name(url)][1]).render_as_string(hide_password=False)


def open_database(settings: Settings, url: str | None = None) -> Database:
    """The (not yet connected) Database for ``url`` (default: ``settings.DATABASE_URL``)."""
    url = url or settings.DATABASE_URL
    target = BACKENDS[backend_name(url)][0]
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    db: Database = cls(url, settings)
    return db
