"""The marketplace seed keeps every invariant the API relies on, on both dialects."""

from __future__ import annotations

import random

import sqlalchemy as sa

from mercenary.db import Database
from mercenary.db.metadata import utcnow
from mercenary.seed.bulk import SCALES
from mercenary.seed.catalog import seed_catalog
from mercenary.seed.market import seed_market
from mercenary.seed.runner import seed_people
from mercenary.skills.tables import skills

SCALE = SCALES["demo"]


async def _count(db: Database, sql: str) -> int:
    return int(await db.fetch_val(sa.text(sql).columns(sa.column("n", sa.Integer))))


async def test_demo_market_is_consistent(db: Database) -> None:
    now = utcnow()
    await db.copy_rows(
        "skills",
        ("id", "slug", "name", "category", "created_at"),
        [(i, f"skill-{i}", f"Skill {i}", "dev", now) for i in range(1, SCALE.skills + 1)],
    )
    rng = random.Random(3)
    await seed_people(db, SCALE, rng, "not-a-real-hash")
    await seed_market(db, SCALE, rng)
    await _check_invariants(db)


async def test_titles_name_a_required_skill(db: Database) -> None:
    rng = random.Random(4)
    await seed_people(db, SCALE, rng, "not-a-real-hash")
    await seed_catalog(db, SCALE, rng)
    await seed_market(db, SCALE, rng)
    await _check_invariants(db)
    # With the real taxonomy, a technology named in a project's title is one of its required skills.
    rows = await db.fetch_all(
        sa.text(
            "SELECT p.id AS id, p.title AS title, s.name AS skill FROM projects p "
            "JOIN project_skills ps ON ps.project_id = p.id JOIN skills s ON s.id = ps.skill_id"
        ).columns(sa.column("id", sa.Integer), sa.column("title", sa.String), sa.column("skill", sa.String))
    )
    names = {r["name"].lower() for r in await db.fetch_all(sa.select(skills.c.name))}
    titles: dict[int, str] = {}
    required: dict[int, set[str]] = {}
    for r in rows:
        titles[r["id"]] = r["title"].lower()
        required.setdefault(r["id"], set()).add(r["skill"].lower())
    named = {pid: {n for n in names if t.endswith(" " + n)} for pid, t in titles.items()}
    checked = [pid for pid, found in named.items() if found]
    assert len(checked) >= len(titles) // 2  # most titles name a technology the taxonomy has
    assert all(named[pid] & required[pid] for pid in checked)


async def _check_invariants(db: Database) -> None:
    now = utcnow()

    assert await _count(db, "SELECT count(*) FROM projects") == SCALE.projects
    assert await _count(db, "SELECT count(*) FROM proposals") == SCALE.proposals
    assert await _count(db, "SELECT count(*) FROM reviews") == SCALE.reviews
    assert await _count(db, "SELECT count(*) FROM projects WHERE status = 'open'") > SCALE.projects // 3
    # 2-6 skills per project; owners are clients of the project's organization.
    per_project = "(SELECT count(*) AS k FROM project_skills GROUP BY project_id) AS per_project"
    assert await _count(db, f"SELECT count(*) FROM {per_project}") == SCALE.projects
    assert await _count(db, f"SELECT min(k) FROM {per_project}") >= 2
    assert await _count(db, f"SELECT max(k) FROM {per_project}") <= 6
    assert not await _count(
        db,
        "SELECT count(*) FROM projects p JOIN users u ON u.id = p.owner_id "
        "WHERE u.role <> 'client' OR u.tenant_id <> p.tenant_id",
    )
    # Proposals: by freelancers, in the project's tenant, none on drafts, exactly one accepted per closed project.
    assert not await _count(
        db,
        "SELECT count(*) FROM proposals x JOIN projects p ON p.id = x.project_id "
        "JOIN users u ON u.id = x.freelancer_id "
        "WHERE u.role <> 'freelancer' OR x.tenant_id <> p.tenant_id OR p.status = 'draft' "
        "OR (p.status <> 'closed' AND x.status = 'accepted') "
        "OR (p.status <> 'open' AND x.status = 'submitted')",
    )
    assert not await _count(
        db,
        "SELECT count(*) FROM projects p WHERE p.status = 'closed' AND 1 <> "
        "(SELECT count(*) FROM proposals x WHERE x.project_id = p.id AND x.status = 'accepted')",
    )
    # Reviews: between the owner and the hire of a closed project, and the aggregates add up.
    assert not await _count(
        db,
        "SELECT count(*) FROM reviews r JOIN projects p ON p.id = r.project_id "
        "JOIN proposals x ON x.project_id = p.id AND x.status = 'accepted' "
        "WHERE NOT ((r.reviewer_id = p.owner_id AND r.reviewee_id = x.freelancer_id) "
        "OR (r.reviewer_id = x.freelancer_id AND r.reviewee_id = p.owner_id))",
    )
    assert not await _count(
        db,
        "SELECT count(*) FROM rating_aggregates a WHERE a.count <> "
        "(SELECT count(*) FROM reviews r WHERE r.reviewee_id = a.user_id) OR a.total <> "
        "(SELECT sum(rating) FROM reviews r WHERE r.reviewee_id = a.user_id) "
        "OR a.r5 <> (SELECT count(*) FROM reviews r WHERE r.reviewee_id = a.user_id AND r.rating = 5) "
        "OR a.count <> a.r1 + a.r2 + a.r3 + a.r4 + a.r5",
    )
    assert await _count(db, "SELECT count(DISTINCT reviewee_id) FROM reviews") == await _count(
        db, "SELECT count(*) FROM rating_aggregates"
    )
    # Identity sequences were moved past the explicit ids.
    for table, values in (
        ("projects", "1, 2, 't', 'd', 1, 'draft', :now, :now"),
        ("proposals", "1, 1, 40, 'c', 1, 'withdrawn', :now, :now"),
        ("reviews", "1, 2, 40, 5, 't', :now"),
    ):
        columns = {
            "projects": "tenant_id, owner_id, title, description, budget, status, created_at, updated_at",
            "proposals": "project_id, tenant_id, freelancer_id, cover_letter, price, status, created_at, updated_at",
            "reviews": "project_id, reviewer_id, reviewee_id, rating, text, created_at",
        }[table]
        async with db.transaction() as conn:
            new_id = await conn.fetch_val(
                sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING id")
                .bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
                .columns(sa.column("id", sa.Integer)),
                now=now.replace(tzinfo=None) if db.dialect.name == "sqlite" else now,
            )
        assert (
            new_id
            > {"projects": SCALE.projects, "proposals": SCALE.proposals, "reviews": SCALE.reviews}[table]
        )
