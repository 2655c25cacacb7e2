"""What every seed generator shares: the dataset sizes and the bulk loader (chunked copies with a
progress bar, identity sequences moved past explicit ids)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from mercenary.db import Database

BATCH = 10_000


@dataclass(frozen=True)
class Scale:
    """How much to generate."""

    companies: int
    clients: int
    freelancers: int
    projects: int
    proposals: int
    reviews: int
    # The taxonomy is the product's, not a matter of scale: ids 1..skills exist after the catalog step.
    skills: int = 300


SCALES = {
    "demo": Scale(companies=5, clients=15, freelancers=40, projects=60, proposals=200, reviews=30),
    # The plan check (DB-4, tests/db/test_query_plans.py): large enough that PostgreSQL's planner
    # weighs an index against a sequential scan as it would in production, small enough to seed in
    # a few seconds.
    "explain": Scale(
        companies=40, clients=1_000, freelancers=4_000, projects=10_000, proposals=40_000, reviews=4_000
    ),
    # DOM-10: at least 50,000 users, 300 skills, 100,000 projects, 500,000 proposals and 100,000 reviews
    # across 200 tenants (the client companies; each freelancer also has a personal organization).
    "full": Scale(
        companies=200,
        clients=10_000,
        freelancers=40_000,
        projects=100_000,
        proposals=500_000,
        reviews=100_000,
    ),
}


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.started = label, total, 0, time.perf_counter()

    def advance(self, n: int) -> None:
        """Count ``n`` more rows and redraw."""
        self.done += n
        width = 30
        filled = int(width * self.done / max(1, self.total))
        rate = self.done / max(1e-9, time.perf_counter() - self.started)
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\r{self.label:<12} [{bar}] {self.done:>9,}/{self.total:,} {rate:>9,.0f}/s")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


async def copy_all(
    db: Database,
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple[Any, ...]],
    total: int,
    label: str = "",
) -> int:
    """Bulk-load ``rows`` (explicit ids) in chunks with ``db.copy_rows``, drawing a progress bar;
    the number of rows loaded. ``rows`` may be a generator: only one chunk is held at a time."""
    progress = Progress(label or table, max(total, 1))
    loaded = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            await db.copy_rows(table, columns, batch)
            progress.advance(len(batch))
            loaded += len(batch)
            batch = []
    if batch:
        await db.copy_rows(table, columns, batch)
        progress.advance(len(batch))
        loaded += len(batch)
    return loaded


async def sync_identities(db: Database, tables: tuple[str, ...]) -> None:
    """After inserting explicit ids, move PostgreSQL's identity sequences past them (SQLite's
    rowid needs nothing)."""
    if db.dialect.name != "postgresql":
        return
    for table in tables:
        await db.execute(
            sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )
