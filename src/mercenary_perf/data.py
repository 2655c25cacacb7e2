"""A sample of the seeded dataset, read straight from the database URL (never through ``mercenary``).

Scenarios draw emails, ids and skills from this sample so that the load spreads over the
data the way real traffic does (DOM-10), instead of repeating one URL. Tables that do not
exist yet simply give empty lists.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg

SEED_PASSWORD = "mercenary-seed"  # set by `mercenary seed`; for load tests only  # noqa: S105

_QUERIES = {
    "users": "SELECT id, tenant_id, email, role FROM users ORDER BY random() LIMIT {n}",
    "projects": "SELECT id, tenant_id, status FROM projects ORDER BY random() LIMIT {n}",
    "proposals": "SELECT id, project_id, freelancer_id, status FROM proposals ORDER BY random() LIMIT {n}",
    "skills": "SELECT id, slug FROM skills ORDER BY random() LIMIT {n}",
    "organizations": "SELECT id, name FROM organizations ORDER BY random() LIMIT {n}",
}


@dataclass
class Dataset:
    """Rows sampled from the seeded tables, as dicts."""

    users: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    source: str = "none"

    def users_with_role(self, role: str) -> list[dict[str, Any]]:
        """Sampled users of one role."""
        return [u for u in self.users if u.get("role") == role]

    def open_projects(self) -> list[dict[str, Any]]:
        """Sampled projects whose status is ``open``."""
        return [p for p in self.projects if p.get("status") == "open"]

    def counts(self) -> dict[str, int]:
        """How many rows of each table were sampled."""
        return {k: len(getattr(self, k)) for k in _QUERIES}


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL."""
    rest = url.split(":", 1)[1]
    if not rest.startswith("///"):
        raise ValueError(f"not a file SQLite URL: {url}")
    return Path(rest[3:].split("?", 1)[0])


def postgres_dsn(url: str) -> str:
    """A DSN asyncpg accepts, from ``postgresql://`` or ``postgresql+asyncpg://``."""
    scheme, rest = url.split("://", 1)
    if not scheme.startswith(("postgresql", "postgres")):
        raise ValueError(f"not a PostgreSQL URL: {url}")
    return "postgresql://" + rest


def load_sqlite(url: str, n: int) -> Dataset:
    """Sample up to ``n`` rows per table from a SQLite file (opened read-only)."""
    path = sqlite_path(url)
    if not path.exists():
        raise FileNotFoundError(f"database file {path} does not exist")
    ds = Dataset(source="sqlite")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        for table, sql in _QUERIES.items():
            try:
                rows = conn.execute(sql.format(n=int(n))).fetchall()
            except sqlite3.OperationalError:
                continue  # table or column not there yet
            setattr(ds, table, [dict(r) for r in rows])
    finally:
        conn.close()
    return ds


async def load_postgres(url: str, n: int) -> Dataset:
    """Sample up to ``n`` rows per table from PostgreSQL."""
    ds = Dataset(source="postgresql")
    conn = await asyncpg.connect(postgres_dsn(url), timeout=10)
    try:
        for table, sql in _QUERIES.items():
            try:
                rows = await conn.fetch(sql.format(n=int(n)), timeout=30)
            except (asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError):
                continue
            setattr(ds, table, [dict(r) for r in rows])
    finally:
        await conn.close()
    return ds


async def load_dataset(url: str | None, n: int = 2000) -> Dataset:
    """Sample the dataset behind ``url``; an empty Dataset when no URL is given."""
    if not url:
        return Dataset()
    scheme = urlsplit(url).scheme
    if scheme.startswith("sqlite"):
        return load_sqlite(url, n)
    if scheme.startswith("postgres"):
        return await load_postgres(url, n)
    raise ValueError(f"unsupported database URL scheme {scheme!r}")
