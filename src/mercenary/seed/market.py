"""Marketplace seed (DOM-10): projects with skills, proposals, reviews and rating aggregates.

Rows are generated in Python with explicit ids and bulk-loaded with ``db.copy_rows`` (COPY on
PostgreSQL), then the identity sequences are moved past them. Invariants the API relies on hold:
at most one live proposal per freelancer per project (every project's bidders are distinct), exactly
one accepted proposal per closed project, reviews only between a closed project's owner and its hired
freelancer (once per side), and rating aggregates that agree with the reviews.

Statuses: a closed project gives at most two reviews, so the review volume sets the number of closed
projects (at full scale 100,000 reviews need over 50,000 of them); the rest are mostly open, with some
drafts and cancelled ones.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from mercenary.db import Database
from mercenary.db.metadata import utcnow
from mercenary.seed import market_words as w
from mercenary.seed.bulk import Scale, copy_all, sync_identities
from mercenary.seed.market_activity import Plan, proposal_rows, review_rows
from mercenary.seed.market_text import TopicWords
from mercenary.skills.tables import skills

PROJECT_COLUMNS = (
    "id",
    "tenant_id",
    "owner_id",
    "title",
    "description",
    "budget",
    "status",
    "created_at",
    "updated_at",
)


def statuses(scale: Scale, rng: random.Random) -> list[str]:
    """One status per project: enough closed ones for the reviews, then mostly open."""
    n = scale.projects
    closed = min(n, max(math.ceil(scale.reviews / 1.8), n // 10))
    rest = n - closed
    drafts = cancelled = rest // 8
    out = ["closed"] * closed + ["draft"] * drafts + ["cancelled"] * cancelled
    out += ["open"] * (n - len(out))
    rng.shuffle(out)
    return out


def topic_pools(taxonomy: list[tuple[int, str, str]], rng: random.Random) -> list[list[int]]:
    """For each topic, the skills a project of it plausibly requires: its technologies that the
    taxonomy has, and other skills of their categories (so a skill filter agrees with the text)."""
    by_name = {name: (skill_id, category) for skill_id, name, category in taxonomy}
    pools = []
    for topic in w.TOPICS:
        named = [by_name[t.lower()] for t in topic.tech if t.lower() in by_name]
        named_ids = [skill_id for skill_id, _ in named]
        categories = {category for _, category in named}
        related = [i for i, _, category in taxonomy if category in categories and i not in named_ids]
        if not named_ids:  # a taxonomy without this topic's technologies: any skills will do
            related = [i for i, _, _ in taxonomy]
        pools.append(named_ids + rng.sample(related, min(10 if named_ids else 25, len(related))))
    return pools


def plan_projects(scale: Scale, rng: random.Random, taxonomy: list[tuple[int, str, str]]) -> Plan:
    """Who owns each project, its status, budget, topic, technology, skills and creation time."""
    n = scale.projects
    now = utcnow()
    start = now - timedelta(days=365)
    step = timedelta(days=365) / max(n, 1)
    pools = topic_pools(taxonomy, rng)
    skill_of = {name: skill_id for skill_id, name, _ in taxonomy}
    plan = Plan(statuses=statuses(scale, rng), now=now)
    for i in range(n):
        owner = rng.randint(2, scale.clients + 1)
        topic = rng.randrange(len(w.TOPICS))
        tech = rng.choice(w.TOPICS[topic].tech)
        plan.techs.append(tech)
        plan.owners.append(owner)
        plan.tenants.append(1 + (owner - 2) % scale.companies)
        plan.topics.append(topic)
        plan.budgets.append(rng.choice((5, 10, 20, 40, 80, 150, 300, 600)) * 50 + rng.randrange(0, 50) * 10)
        plan.created.append(start + step * i + timedelta(seconds=rng.randrange(3600)))
        pool = pools[topic]
        named = skill_of.get(tech.lower())
        chosen = rng.sample(pool, min(len(pool), rng.randint(2, 6)))
        if named is not None and named not in chosen:
            chosen[0:1] = [named]  # the technology in the title is always a required skill
        plan.skills.append(tuple(chosen))
    return plan


def project_rows(plan: Plan, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """``projects`` rows with topic-coherent titles and descriptions; each description ends with a few
    words of its topic's long tail (``market_text``), so the dataset has a realistic vocabulary."""
    tail = TopicWords(len(w.TOPICS))
    for i, status in enumerate(plan.statuses):
        topic = w.TOPICS[plan.topics[i]]
        noun, tech = rng.choice(topic.nouns), plan.techs[i]
        title = f"{rng.choice(w.VERBS)} our {noun} {rng.choice(w.JOINERS)} {tech}"
        said = [*rng.sample(topic.sentences, 2), rng.choice(w.GENERIC)]
        description = " ".join(s.format(noun=noun, tech=tech, weeks=rng.randint(2, 12)) for s in said)
        description += " " + tail.sentence(rng, plan.topics[i])
        created: datetime = plan.created[i]
        updated = created if status in ("draft", "open") else min(plan.now, created + timedelta(days=20))
        yield (
            i + 1,
            plan.tenants[i],
            plan.owners[i],
            title,
            description,
            plan.budgets[i],
            status,
            created,
            updated,
        )


async def available_skills(db: Database, wanted: int) -> list[tuple[int, str, str]]:
    """``(id, name, category)`` of skills 1..``wanted`` (all of them once the catalog step has run)."""
    stmt = sa.select(skills.c.id, skills.c.name, skills.c.category).where(skills.c.id <= wanted)
    rows = await db.fetch_all(stmt.order_by(skills.c.id))
    return [(int(r["id"]), r["name"].lower(), r["category"]) for r in rows]


async def seed_market(db: Database, scale: Scale, rng: random.Random) -> None:
    """Projects, project skills, proposals, reviews and rating aggregates for ``scale``."""
    taxonomy = await available_skills(db, scale.skills)
    if not taxonomy:
        print("no skills in the taxonomy yet: projects are seeded without skills", file=sys.stderr)
    plan = plan_projects(scale, rng, taxonomy)
    await copy_all(db, "projects", PROJECT_COLUMNS, project_rows(plan, rng), scale.projects)
    links = ((i + 1, s) for i, chosen in enumerate(plan.skills) for s in chosen)
    await copy_all(db, "project_skills", ("project_id", "skill_id"), links, sum(map(len, plan.skills)))
    await copy_all(db, "proposals", *proposal_rows(plan, scale, rng))
    reviews, aggregates = review_rows(plan, scale, rng)
    await copy_all(db, "reviews", reviews.columns, reviews.rows, len(reviews.rows))
    await copy_all(db, "rating_aggregates", aggregates.columns, aggregates.rows, len(aggregates.rows))
    await sync_identities(db, ("projects", "proposals", "reviews"))
