"""DB-4: no hot statement's PostgreSQL plan reads a large table sequentially.

One database per test session is seeded at the ``explain`` scale (thousands of users, projects and
proposals: enough that the planner weighs an index against a sequential scan as it would in
production) and vacuumed. Every module-level :class:`~mercenary.db.Query` of the application and
representative shapes of the list and search builders are then ``EXPLAIN``-ed with plausible values
taken from that data (PostgreSQL 15 has no ``EXPLAIN (GENERIC_PLAN)``), and the JSON plan is walked
for a ``Seq Scan`` over one of :data:`LARGE_TABLES`.

A new statement needs nothing here unless it binds a parameter name :func:`samples` does not know:
the test then fails and says which one.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

import mercenary
from mercenary.db import Query
from mercenary.db.fulltext import SEARCH_PARAM, terms
from mercenary.db.metadata import MAX_ID, utcnow
from mercenary.db.postgres import DIALECT
from mercenary.db.query import prepare
from mercenary.db.sqlite import DIALECT as SQLITE
from mercenary.profiles import queries as profiles
from mercenary.projects import listing
from mercenary.projects.tables import projects
from mercenary.seed import run_seed
from tests.conftest import make_settings
from tests.support.servers import PostgresServer

# Tables that grow with the business (rows per user, project or bid). organizations and
# rating_aggregates are in: every freelancer has a personal organization and, once rated, a row.
LARGE_TABLES = frozenset(
    {
        "users",
        "organizations",
        "projects",
        "project_skills",
        "proposals",
        "reviews",
        "rating_aggregates",
        "freelancer_profiles",
        "profile_skills",
        "refresh_tokens",
        "fts_open_projects",
    }
)

# Statements allowed to read a large table sequentially, and why. Keep it short and explained.
ALLOWED_SEQ_SCANS: dict[str, str] = {}

# Modules that are not on a request path (bulk seeding, migrations).
NOT_REQUEST_PATH = ("mercenary.seed", "mercenary.db.migrations")
SEED = 7
PROPOSAL_LISTS = ("by_freelancer", "by_tenant", "by_project", "by_project_freelancer")
REFRESH_TOKENS_PER_USER = 2


@dataclass(frozen=True)
class Sample:
    """Values from the seeded data for the statements' parameters."""

    values: dict[str, Any]
    # Where a parameter name means something else in one statement than in the others.
    overrides: dict[str, dict[str, Any]]

    def for_query(self, query: Query) -> dict[str, Any]:
        """Every parameter ``query`` binds, from :attr:`values` and the statement's overrides."""
        compiled = query.compiled(DIALECT)
        names = compiled.param_names
        if compiled.expander is not None:  # expanding IN lists: the names of their bindparams
            names = tuple(b.key for b in compiled.expander.binds.values())
        params = self.values | self.overrides.get(query.name, {})
        missing = [n for n in names if n not in params and n not in compiled.param_defaults]
        assert not missing, (
            f"{query.name} binds {missing}: add a plausible value to samples() in {__name__} "
            f"so that its plan can be checked"
        )
        return params


async def _one(conn: asyncpg.Connection, sql: str) -> Any:
    value = await conn.fetchval(sql)
    assert value is not None, f"the seeded data has no row for: {sql}"
    return value


async def samples(conn: asyncpg.Connection) -> Sample:
    """Typical values: a company with projects, an open project with bids, a freelancer with a
    profile and bids, a reviewed user, popular skills, a word the titles use."""
    tenant = await _one(conn, "SELECT tenant_id FROM projects GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    project = await _one(
        conn,
        "SELECT project_id FROM proposals JOIN projects p ON p.id = project_id WHERE p.status = 'open' "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )
    freelancer = await _one(
        conn, "SELECT freelancer_id FROM proposals GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    reviewee = await _one(conn, "SELECT reviewee_id FROM reviews GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    email = await _one(conn, f"SELECT email FROM users WHERE id = {freelancer}")
    skills = [
        r[0]
        for r in await conn.fetch(
            "SELECT skill_id FROM project_skills GROUP BY 1 ORDER BY count(*) DESC LIMIT 3"
        )
    ]
    slugs = [r[0] for r in await conn.fetch("SELECT slug FROM skills ORDER BY id LIMIT 3")]
    project_ids = [
        r[0]
        for r in await conn.fetch("SELECT id FROM projects WHERE status = 'open' ORDER BY id DESC LIMIT 200")
    ][::10]
    user_ids = [
        r[0] for r in await conn.fetch("SELECT user_id FROM freelancer_profiles ORDER BY user_id LIMIT 21")
    ]
    token = await _one(conn, f"SELECT token_hash FROM refresh_tokens WHERE user_id = {freelancer} LIMIT 1")
    family = await _one(conn, f"SELECT family_id FROM refresh_tokens WHERE user_id = {freelancer} LIMIT 1")
    invitation = await _one(conn, f"SELECT invitation_code FROM organizations WHERE id = {tenant}")
    later_page = {"after": project_ids[len(project_ids) // 2]}
    overrides: dict[str, dict[str, Any]] = {
        # Oldest-first lists start above an id; the others (newest first) below one.
        "users.list_members": {"after": 0},
        "users.public_by_ids": {"ids": user_ids},
        "proposals.decide": {"status": "accepted"},
        "idempotency.complete": {"status": 201},
        **{f"proposals.{name}_status": {"status": "submitted"} for name in PROPOSAL_LISTS},
        # A project list's later pages start below the last id served.
        **{
            q.name: later_page
            for q in builder_queries()
            if q.name.startswith("projects.list.") and q.name.endswith(".1")
        },
    }
    now = utcnow()
    return Sample(
        overrides=overrides,
        values={
            "id": project,
            "ids": project_ids,
            "user_ids": user_ids,
            "names": slugs,
            "tenant_id": tenant,
            "project_id": project,
            "freelancer_id": freelancer,
            "owner_id": 2,
            "user_id": freelancer,
            "reviewee_id": reviewee,
            "reviewer_id": 2,
            "email": email,
            "token_hash": token,
            "family_id": family,
            "code": invitation,
            "skill_id": skills[0],
            "now": now,
            "created_at": now,
            "updated_at": now,
            "expires_at": now + timedelta(days=30),
            "status": "open",
            "expected": "open",
            "after": MAX_ID,
            "after_id": 0,
            "after_rank": 0.1,
            "limit": 21,
            "rating": 5,
            "price": 500,
            "budget": 1000,
            "hourly_rate": 60,
            "availability": "available",
            "title": "Build our analytics dashboard with React",
            "description": "A dashboard.",
            "headline": "Senior React Developer",
            "bio": "Ten years of React.",
            "cover_letter": "I have built many dashboards.",
            "text": "Great work.",
            "name": "Someone",
            "role": "client",
            "kind": "company",
            "invitation_code": "seed-org-x",
            "password_hash": "not-a-hash",
            "slug": "some-skill",
            "category": "Web Development",
            "alias": "some-alias",
            "scope": f"user:{freelancer}",
            "key": "6b1c54a0-idempotency-key",
            "keys": [f"{n:032x}" for n in range(500)],  # the orphan sweep's batch of blob keys
            "fingerprint": "f" * 64,
            "cv_id": 1,
            "version_id": 1,
            "version_ids": [1, 2],
            "number": 1,
            "pages": 2,
            "failure_code": None,
            "failure_message": None,
            "blob_key": "0f3c2a9e4b7d41c6a5e8d2b1c9f07a3e",
            "filename": "cv.pdf",
            "media_type": "application/pdf",
            "size": 48_213,
            "sha256": "e" * 64,
            "uploaded_by": 2,
            "missing_key": "0f3c2a9e4b7d41c6a5e8d2b1c9f07a3e",
            "version": "d" * 32,
            "proposal_id": 1,
            "stale": now - timedelta(minutes=1),
            "body": b"{}",
            "batch": 1_000,
            **{f"skill_{i}": s for i, s in enumerate(skills)},
            **{f"s{i}": s for i, s in enumerate(skills)},
            SEARCH_PARAM: terms("react dashboard"),
            # Jobs: the outbox and the dead letters; a rating recount.
            "message_id": "8b0f7a52-61a4-4bd2-9d4f-0a3c2f1d9e77",
            "job": "reviews.refresh_rating",
            "priority": "default",
            "kwargs": '{"user_id": 2}',
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "attempts": 6,
            "error": "RuntimeError: failed",
            "before": now - timedelta(seconds=10),
            "count": 3,
            "total": 13,
            **{f"r{i}": i % 2 for i in range(1, 6)},
        },
    )


def module_queries() -> list[Query]:
    """Every module-level Query of the application (its statements compiled at import time)."""
    found: dict[str, Query] = {}
    for info in pkgutil.walk_packages(mercenary.__path__, "mercenary."):
        if info.name.startswith(NOT_REQUEST_PATH):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            candidates = value if isinstance(value, tuple) else (value,)
            for q in candidates:
                if isinstance(q, Query):
                    found[q.name] = q
    return sorted(found.values(), key=lambda q: q.name)


def builder_queries() -> list[Query]:
    """Representative shapes of the statements built per filter: lists with and without a status,
    with zero, one and two skills, first and later pages, by recency and by relevance."""
    out: list[Query] = []
    for build in (listing._newest_first, listing._by_relevance):
        for scope, has_status in (("market", False), ("mine", False), ("mine", True)):
            for n_skills in (0, 1, 2):
                for has_after in (False, True):
                    out.append(build(scope, has_status, n_skills, has_after))
    for n_skills in (0, 1, 2):
        out.append(profiles.list_page(n_skills))
        for has_after in (False, True):
            out.append(profiles.search_page(n_skills, has_after))
    return out


# Statements that are not queries and have no plan to EXPLAIN, and why.
NO_PLAN = {"skills.lock_links": "LOCK TABLE, taken before a skill is deleted (skills/queries.py)"}
HOT = [q for q in module_queries() + builder_queries() if q.name not in NO_PLAN]


def seq_scans(plan: dict[str, Any]) -> Iterator[str]:
    """The relations of every ``Seq Scan`` node in a JSON plan (subplans and CTEs included)."""
    if plan.get("Node Type") == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", ()):
        yield from seq_scans(child)


@pytest.fixture(scope="session")
async def explain_db(pg_server: PostgresServer, pg_template: str) -> AsyncIterator[asyncpg.Connection]:
    """A database seeded at the ``explain`` scale, vacuumed and analyzed, once per session."""
    name = f"explain_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server.admin_url)
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}" STRATEGY FILE_COPY')
    try:
        url = pg_server.url(name)
        assert await run_seed(make_settings(url), scale="explain", seed=SEED) == 0
        conn = await asyncpg.connect(url)
        try:
            await _seed_refresh_tokens(conn)
            # VACUUM too, as autovacuum would have by now: rows bulk-loaded into a GIN index wait in
            # its pending list, which the planner prices as a scan of the whole list (the full-text
            # indexes would lose to a Seq Scan on a freshly seeded database only).
            await conn.execute("VACUUM ANALYZE")
            yield conn
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _seed_refresh_tokens(conn: asyncpg.Connection) -> None:
    """The seed makes no sessions; a log-in makes a token and each refresh another."""
    now = utcnow()
    users = [r[0] for r in await conn.fetch("SELECT id FROM users ORDER BY id")]
    rows = []
    for user in users:
        family = uuid.uuid4().hex
        for i in range(REFRESH_TOKENS_PER_USER):
            digest = hashlib.sha256(f"{user}:{i}".encode()).hexdigest()
            revoked = now if i < REFRESH_TOKENS_PER_USER - 1 else None
            rows.append((user, family, digest, now, now + timedelta(days=30), revoked))
    columns = ["user_id", "family_id", "token_hash", "created_at", "expires_at", "revoked_at"]
    await conn.copy_records_to_table("refresh_tokens", records=rows, columns=columns)


async def large_seq_scans(conn: asyncpg.Connection, query: Query, params: dict[str, Any]) -> str | None:
    """None, or what to say about ``query``'s plan reading a large table sequentially."""
    _, sql, args = prepare(query, DIALECT, params)
    [plan] = json.loads(await conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *args))
    scanned = sorted(set(seq_scans(plan["Plan"])) & LARGE_TABLES)
    if not scanned:
        return None
    return (
        f"{query.name} reads {', '.join(scanned)} sequentially\n  SQL: {sql}\n  args: {args!r}\n"
        f"  plan: {json.dumps(plan['Plan'], indent=1)}"
    )


async def test_hot_statements_use_indexes(explain_db: asyncpg.Connection) -> None:
    sample = await samples(explain_db)
    failures: dict[str, str] = {}
    for query in HOT:
        found = await large_seq_scans(explain_db, query, sample.for_query(query))
        if found and query.name not in ALLOWED_SEQ_SCANS:
            failures[query.name] = found
    assert not failures, (
        f"Seq Scan on a large table (DB-4) in {', '.join(failures)}: add an index, or name the "
        f"statement in ALLOWED_SEQ_SCANS with the reason\n\n" + "\n\n".join(failures.values())
    )


def test_allowlist_names_real_statements() -> None:
    names = {q.name for q in HOT}
    assert set(ALLOWED_SEQ_SCANS) <= names, set(ALLOWED_SEQ_SCANS) - names


async def test_a_seq_scan_is_caught(explain_db: asyncpg.Connection) -> None:
    # No index serves a search by budget: the check must see the planner read the whole table.
    unindexed = Query(
        "test.by_budget", sa.select(projects.c.id).where(projects.c.budget == sa.bindparam("b"))
    )
    found = await large_seq_scans(explain_db, unindexed, {"b": 1234})
    assert found is not None
    assert found.startswith("test.by_budget reads projects sequentially")
    assert '"Node Type": "Seq Scan"' in found


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON plan."""
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


MARKET_SEARCHES = [q for q in builder_queries() if q.name.startswith("projects.search.market.")]


async def test_market_search_reads_projects_for_the_page_only(explain_db: asyncpg.Connection) -> None:
    # The index of open projects finds and ranks the matches (through its GIN index, or walking its
    # primary key newest first when a word is everywhere, never sequentially); projects gives the
    # page's rows by primary key and is never scanned for the matches. Common words, a word found in
    # nearly every project, and a rare one.
    sample = await samples(explain_db)
    rare = await _one(
        explain_db,
        "SELECT word FROM ts_stat('SELECT search_vector FROM fts_open_projects') WHERE ndoc = 1 ORDER BY word LIMIT 1",
    )
    for words in (terms("react dashboard"), terms("work"), [rare]):
        for query in MARKET_SEARCHES:
            _, sql, args = prepare(query, DIALECT, sample.for_query(query) | {SEARCH_PARAM: words})
            [plan] = json.loads(await explain_db.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *args))
            scans = [
                (n.get("Relation Name"), n["Node Type"], n.get("Index Name")) for n in nodes(plan["Plan"])
            ]
            where = (query.name, words, scans)
            assert {s for s in scans if s[0] == "projects"} == {("projects", "Index Scan", "pk_projects")}, (
                where
            )
            assert ("fts_open_projects", "Seq Scan", None) not in scans, where
            assert any("fts_open_projects" in (s[0] or s[2] or "") for s in scans), where


def test_market_search_on_sqlite_reads_the_open_index(sqlite_template: Path) -> None:
    # SQLite: the matches come from fts_open_projects walked newest first (no sort of every match),
    # and projects is only probed by rowid for the page.
    params = {
        SEARCH_PARAM: ["react"],
        "limit": 21,
        "after_rank": 0.1,
        "after": MAX_ID,
        "skill_0": 1,
        "skill_1": 2,
    }
    with sqlite3.connect(sqlite_template) as conn:
        for query in MARKET_SEARCHES:
            _, sql, args = prepare(query, SQLITE, params)
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)]
            assert any(d.startswith("SCAN fts_open_projects VIRTUAL TABLE") for d in plan), plan
            assert [d for d in plan if d.split()[1:2] == ["projects"]] == [
                "SEARCH projects USING INTEGER PRIMARY KEY (rowid=?)"
            ], plan
            assert not any("fts_projects " in d for d in plan), plan
