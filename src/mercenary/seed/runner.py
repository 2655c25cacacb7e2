"""Seed orchestration: organizations and users, then the marketplace (more domains add their
generators here)."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher as Argon2Hasher

from mercenary.db import Database, Query, open_database
from mercenary.db.metadata import utcnow
from mercenary.seed.words import COMPANY_SUFFIXES, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES
from mercenary.settings import Settings
from mercenary.users import queries as user_queries
from mercenary.users.tables import users

SEED_PASSWORD = "mercenary-seed"  # noqa: S105 (generated load-test accounts only)
BATCH = 10_000
ORG_COLUMNS = ("id", "name", "kind", "invitation_code", "created_at")
USER_COLUMNS = ("id", "tenant_id", "email", "name", "role", "password_hash", "is_active", "created_at")

_count_users = Query("seed.count_users", sa.select(sa.func.count()).select_from(users))


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


async def seed_people(db: Database, scale: Scale, rng: random.Random, password_hash: str) -> None:
    """Organizations, clients, freelancers and one admin. Ids are assigned here so that later
    generators can refer to them without reading back."""
    now = utcnow()
    orgs: list[tuple[Any, ...]] = []
    people: list[tuple[Any, ...]] = []
    for i in range(1, scale.companies + 1):
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIXES)} {i}"
        orgs.append((i, name, "company", f"seed-org-{i}", now - timedelta(days=rng.randint(30, 900))))
    total = scale.clients + scale.freelancers + 1
    next_org = scale.companies + 1
    for n in range(1, total + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if n == 1:
            role, tenant = "admin", 1
        elif n <= scale.clients + 1:
            role, tenant = "client", 1 + (n - 2) % scale.companies
        else:
            role, tenant = "freelancer", next_org
            next_org += 1
            orgs.append((tenant, f"{first} {last}", "personal", f"seed-personal-{n}", now))
        joined = now - timedelta(days=rng.randint(0, 900), seconds=rng.randint(0, 86_399))
        email = f"{role}{n}@seed.mercenary.test"
        people.append((n, tenant, email, f"{first} {last}", role, password_hash, True, joined))
    await copy_all(db, "organizations", ORG_COLUMNS, orgs, len(orgs))
    await copy_all(db, "users", USER_COLUMNS, people, len(people))
    await sync_identities(db, ("organizations", "users"))


async def sync_identities(db: Database, tables: tuple[str, ...]) -> None:
    """After inserting explicit ids, move PostgreSQL's identity sequences past them (SQLite's
    rowid needs nothing)."""
    if db.dialect.name != "postgresql":
        return
    for table in tables:
        await db.execute(
            sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )


async def run_seed(settings: Settings, *, scale: str, seed: int, if_empty: bool = False) -> int:
    """Generate the ``scale`` dataset from ``seed`` into an empty, migrated database."""
    # The generators import this module (Scale, Progress, helpers): imported here, not at the top.
    from mercenary.seed.catalog import seed_catalog
    from mercenary.seed.market import seed_market

    # Bulk loads are not OLTP: a COPY of thousands of rows (with search vectors and indexes to
    # maintain) may take longer than the request path's statement timeout (DB-5).
    db = open_database(settings.model_copy(update={"DB_STATEMENT_TIMEOUT_MS": 60_000}))
    await db.connect()
    try:
        if await db.fetch_val(_count_users):
            print("the database already has users; nothing seeded", file=sys.stderr)
            return 0 if if_empty else 1
        started = time.perf_counter()
        rng = random.Random(seed)
        password_hash = Argon2Hasher(
            memory_cost=settings.ARGON2_MEMORY_KIB, time_cost=settings.ARGON2_TIME_COST, parallelism=1
        ).hash(SEED_PASSWORD)
        await seed_people(db, SCALES[scale], rng, password_hash)
        await seed_catalog(db, SCALES[scale], rng)
        await seed_market(db, SCALES[scale], rng)
        print(f"seeded {scale} dataset in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return 0
    finally:
        await db.close()


async def create_admin(settings: Settings, *, email: str, name: str, password: str) -> int:
    """Create an administrator in the first organization (created if the database has none)."""
    from mercenary.auth.passwords import PasswordHasher
    from mercenary.tenants.service import create_organization

    if len(password) < 8:
        print("the password needs at least 8 characters", file=sys.stderr)
        return 2
    hasher = PasswordHasher(settings.ARGON2_MEMORY_KIB, settings.ARGON2_TIME_COST, 1, 0)
    db = open_database(settings)
    await db.connect()
    try:
        if await db.fetch_one(user_queries.email_taken, email=email.lower()):
            print(f"{email} is already registered", file=sys.stderr)
            return 1
        password_hash = await hasher.hash(password)
        async with db.transaction() as conn:
            org = await create_organization(conn, name="Administrators", kind="company")
            await conn.execute(
                user_queries.insert_user,
                tenant_id=org["id"],
                email=email.lower(),
                name=name,
                role="admin",
                password_hash=password_hash,
                created_at=utcnow(),
            )
        print(f"created admin {email}", file=sys.stderr)
        return 0
    finally:
        await db.close()
