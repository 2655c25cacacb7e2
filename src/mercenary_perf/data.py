"""A sample of the seeded dataset, read straight from the database URL (never through ``mercenary``).

Scenarios draw emails, ids and skills from this sample so that the load spreads over the
data the way real traffic does (DOM-10), instead of repeating one URL. Writes are real writes
because of it: the sample says which projects each sampled freelancer already has a live proposal
on, and which draft or open projects each sampled client's organization may change. Search terms
come from the text of sampled open projects. Tables that do not exist yet simply give empty lists.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Iterator
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
HOT_IDS = 20_000  # public project ids the reads choose from (a Zipf hot set over them)
TEXTS = 3_000  # open projects whose words make the search vocabulary
_PUBLIC_IDS = "SELECT id FROM projects WHERE status IN ('open', 'closed') ORDER BY random() LIMIT {n}"
_TEXTS = "SELECT id, title, description FROM projects WHERE status = 'open' ORDER BY random() LIMIT {n}"
_TEXT_SKILLS = (
    "SELECT ps.project_id, s.slug FROM project_skills ps JOIN skills s ON s.id = ps.skill_id "
    "WHERE ps.project_id IN ({ids})"
)
# A live proposal (submitted or accepted) blocks another one by the same freelancer on the same project.
_LIVE_BIDS = (
    "SELECT freelancer_id, project_id FROM proposals "
    "WHERE status IN ('submitted', 'accepted') AND freelancer_id IN ({ids})"
)
_EDITABLE = "SELECT id, tenant_id FROM projects WHERE status IN ('draft', 'open') AND tenant_id IN ({ids})"
_CHUNK = 500

Rows = Callable[[str], Awaitable[list[dict[str, Any]] | None]]  # None: table or column not there


@dataclass
class Dataset:
    """Rows sampled from the seeded tables, as dicts, and what the writes need to be real writes."""

    users: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    public_ids: list[int] = field(default_factory=list)  # open or closed: every signed-in user sees them
    texts: list[dict[str, Any]] = field(default_factory=list)  # open projects: id, title, description, skills
    live_bids: dict[int, set[int]] = field(default_factory=dict)  # sampled freelancer -> projects bid on
    editable: dict[int, list[int]] = field(default_factory=dict)  # sampled clients' tenant -> draft/open ids
    source: str = "none"

    def users_with_role(self, role: str) -> list[dict[str, Any]]:
        """Sampled users of one role."""
        return [u for u in self.users if u.get("role") == role]

    def open_projects(self) -> list[dict[str, Any]]:
        """Sampled projects whose status is ``open``."""
        return [p for p in self.projects if p.get("status") == "open"]

    def counts(self) -> dict[str, int]:
        """How many rows of each table (and of each derived sample) were read."""
        return {
            **{k: len(getattr(self, k)) for k in _QUERIES},
            "public_ids": len(self.public_ids),
            "texts": len(self.texts),
            "live_bids": sum(map(len, self.live_bids.values())),
            "editable": sum(map(len, self.editable.values())),
        }


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


def _id_lists(ids: Iterable[Any]) -> Iterator[str]:
    """Comma-separated integer ids, a chunk at a time (ids come from the database: never user text)."""
    unique = sorted({int(i) for i in ids})
    for start in range(0, len(unique), _CHUNK):
        yield ",".join(map(str, unique[start : start + _CHUNK]))


async def _sample(rows: Rows, n: int, ds: Dataset) -> Dataset:
    for table, sql in _QUERIES.items():
        got = await rows(sql.format(n=int(n)))
        if got is not None:
            setattr(ds, table, got)
    ds.public_ids = [int(r["id"]) for r in await rows(_PUBLIC_IDS.format(n=HOT_IDS)) or []]
    texts = await rows(_TEXTS.format(n=TEXTS)) or []
    skills_of: dict[int, list[str]] = {}
    for ids in _id_lists(t["id"] for t in texts):
        for r in await rows(_TEXT_SKILLS.format(ids=ids)) or []:
            skills_of.setdefault(int(r["project_id"]), []).append(str(r["slug"]))
    ds.texts = [{**t, "skills": sorted(skills_of.get(int(t["id"]), []))} for t in texts]
    ds.live_bids = {int(u["id"]): set() for u in ds.users_with_role("freelancer")}
    for ids in _id_lists(ds.live_bids):
        for r in await rows(_LIVE_BIDS.format(ids=ids)) or []:
            ds.live_bids[int(r["freelancer_id"])].add(int(r["project_id"]))
    for ids in _id_lists(u["tenant_id"] for u in ds.users_with_role("client")):
        for r in await rows(_EDITABLE.format(ids=ids)) or []:
            ds.editable.setdefault(int(r["tenant_id"]), []).append(int(r["id"]))
    return ds


async def load_sqlite(url: str, n: int) -> Dataset:
    """Sample up to ``n`` rows per table from a SQLite file (opened read-only)."""
    path = sqlite_path(url)
    if not path.exists():
        raise FileNotFoundError(f"database file {path} does not exist")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row

    async def rows(sql: str) -> list[dict[str, Any]] | None:
        try:
            return [dict(r) for r in conn.execute(sql).fetchall()]
        except sqlite3.OperationalError:
            return None  # table or column not there yet

    try:
        return await _sample(rows, n, Dataset(source="sqlite"))
    finally:
        conn.close()


async def load_postgres(url: str, n: int) -> Dataset:
    """Sample up to ``n`` rows per table from PostgreSQL."""
    conn = await asyncpg.connect(postgres_dsn(url), timeout=10)

    async def rows(sql: str) -> list[dict[str, Any]] | None:
        try:
            return [dict(r) for r in await conn.fetch(sql, timeout=30)]
        except (asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError):
            return None

    try:
        return await _sample(rows, n, Dataset(source="postgresql"))
    finally:
        await conn.close()


async def load_dataset(url: str | None, n: int = 2000) -> Dataset:
    """Sample the dataset behind ``url``; an empty Dataset when no URL is given."""
    if not url:
        return Dataset()
    scheme = urlsplit(url).scheme
    if scheme.startswith("sqlite"):
        return await load_sqlite(url, n)
    if scheme.startswith("postgres"):
        return await load_postgres(url, n)
    raise ValueError(f"unsupported database URL scheme {scheme!r}")
