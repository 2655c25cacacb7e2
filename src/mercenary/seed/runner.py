"""Seed orchestration: organizations and users, then the marketplace (more domains add their
generators here)."""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from mercenary.db import Database, Query, open_database
from mercenary.db.metadata import utcnow
from mercenary.security.passwords import PasswordHasher
from mercenary.seed.bulk import SCALES, Scale, copy_all, sync_identities
from mercenary.seed.catalog import seed_catalog
from mercenary.seed.market import seed_market
from mercenary.seed.words import COMPANY_SUFFIXES, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES
from mercenary.settings import Settings
from mercenary.users.tables import users

SEED_PASSWORD = "mercenary-seed"  # noqa: S105 (generated load-test accounts only)
ORG_COLUMNS = ("id", "name", "kind", "invitation_code", "created_at")
USER_COLUMNS = ("id", "tenant_id", "email", "name", "role", "password_hash", "is_active", "created_at")

_count_users = Query("seed.count_users", sa.select(sa.func.count()).select_from(users))


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


async def run_seed(settings: Settings, *, scale: str, seed: int, if_empty: bool = False) -> int:
    """Generate the ``scale`` dataset from ``seed`` into an empty, migrated database."""
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
        hasher = PasswordHasher.from_settings(settings)
        password_hash = await hasher.hash(SEED_PASSWORD)
        await seed_people(db, SCALES[scale], rng, password_hash)
        await seed_catalog(db, SCALES[scale], rng)
        await seed_market(db, SCALES[scale], rng)
        print(f"seeded {scale} dataset in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return 0
    finally:
        await db.close()
