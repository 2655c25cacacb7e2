"""Seed the skill taxonomy (ids 1..300) and one profile for every seeded freelancer (DOM-10).

Headlines and bios are composed from the freelancer's own skills, a role that fits their main
category and word lists, so that full-text search and skill filters give meaningful results.
Rows go in with ``copy_rows`` (COPY on PostgreSQL): the full scale's 40,000 profiles take seconds.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from mercenary.db import Database, Query
from mercenary.db.metadata import utcnow
from mercenary.seed.bulk import Scale, copy_all, sync_identities
from mercenary.seed.taxonomy import TAXONOMY, SkillSpec
from mercenary.users.tables import users

ROLES = {
    "Programming Languages": ("Software Engineer", "Backend Developer", "Programmer"),
    "Web Development": ("Full-Stack Developer", "Frontend Developer", "Web Developer"),
    "Mobile Development": ("Mobile Developer", "iOS Engineer", "Android Engineer"),
    "Data Science & AI": ("Data Scientist", "Machine Learning Engineer", "Data Engineer"),
    "Databases": ("Database Administrator", "Database Engineer", "Data Architect"),
    "DevOps & Cloud": ("DevOps Engineer", "Cloud Architect", "Platform Engineer"),
    "Security": ("Security Consultant", "Security Engineer", "Penetration Tester"),
    "Software Engineering": ("Software Architect", "QA Engineer", "Tech Lead"),
    "Blockchain": ("Blockchain Developer", "Smart Contract Engineer", "Web3 Developer"),
    "Game Development": ("Game Developer", "Technical Artist", "Game Designer"),
    "Design": ("Product Designer", "UI/UX Designer", "Graphic Designer"),
    "Writing & Translation": ("Copywriter", "Technical Writer", "Translator"),
    "Marketing": ("Growth Marketer", "SEO Specialist", "Digital Marketer"),
    "Video & Audio": ("Video Editor", "Sound Designer", "Photographer"),
    "Business & Operations": ("Product Manager", "Project Manager", "Business Analyst"),
}
# Whole currency units per hour, by category: a realistic spread rather than one flat range.
BASE_RATE = {"Writing & Translation": 35, "Business & Operations": 40, "Video & Audio": 45, "Design": 55}
LEVELS = ("Junior", "Mid-level", "Senior", "Senior", "Lead", "Principal", "Freelance")
INDUSTRIES = (
    "fintech", "healthcare", "e-commerce", "education", "logistics", "media", "travel", "real estate",
    "gaming", "non-profit", "SaaS", "retail", "insurance", "energy", "automotive", "biotech",
)  # fmt: skip
WORK = (
    "web applications", "internal tools", "customer-facing products", "MVPs for startups",
    "data platforms", "marketing campaigns", "brand refreshes", "mobile apps", "APIs and integrations",
    "documentation", "dashboards and reports", "migrations of legacy systems",
)  # fmt: skip
TRAITS = (
    "clear communication", "clean, tested work", "meeting deadlines", "pragmatic solutions",
    "long-term partnerships", "attention to detail", "fast turnaround", "remote collaboration",
)  # fmt: skip
CLOSERS = (
    "Happy to start with a small paid trial.",
    "Available for long-term contracts and one-off projects.",
    "I work across time zones and reply within a day.",
    "Let's talk about your project.",
    "References available on request.",
)

_freelancers = Query(
    "seed.freelancers",
    sa.select(users.c.id, users.c.tenant_id).where(users.c.role == "freelancer").order_by(users.c.id),
)


def _choose_skills(
    rng: random.Random, by_category: dict[str, list[int]], count: int
) -> tuple[str, list[int]]:
    """A main category and ``count`` distinct skill ids, mostly from it."""
    category = rng.choice(list(by_category))
    own = by_category[category]
    picked = rng.sample(own, min(len(own), count - rng.randint(0, 2)))
    while len(picked) < count:
        extra = rng.randint(1, len(TAXONOMY))
        if extra not in picked:
            picked.append(extra)
    return category, picked


def _texts(rng: random.Random, category: str, skills: list[SkillSpec]) -> tuple[str, str]:
    """A headline and a bio that mention the freelancer's role, skills and industries."""
    role = rng.choice(ROLES[category])
    top = [s.name for s in skills[:3]]
    headline = f"{rng.choice(LEVELS)} {role} | {', '.join(top[:-1])} and {top[-1]}"
    names = [s.name for s in skills]
    stack = f"{', '.join(names[:-1])} and {names[-1]}"
    industries = rng.sample(INDUSTRIES, 2)
    bio = " ".join(
        (
            f"{role} with {rng.randint(2, 15)} years of experience in {stack}.",
            f"I have built {rng.choice(WORK)} for {industries[0]} and {industries[1]} clients.",
            "Clients hire me for {} and {}.".format(*rng.sample(TRAITS, 2)),
            rng.choice(CLOSERS),
        )
    )
    return headline, bio


async def seed_catalog(db: Database, scale: Scale, rng: random.Random) -> None:
    """The taxonomy with ids 1..``scale.skills`` and a profile with 3-8 skills for every
    freelancer already seeded (their personal organization is their ``tenant_id``)."""
    now = utcnow()
    taxonomy = TAXONOMY[: scale.skills]
    skills = [(i, s.slug, s.name, s.category, now) for i, s in enumerate(taxonomy, start=1)]
    aliases = [(i, alias) for i, s in enumerate(taxonomy, start=1) for alias in s.aliases]
    await copy_all(
        db, "skills", ("id", "slug", "name", "category", "created_at"), skills, len(skills), "skills"
    )
    await copy_all(db, "skill_aliases", ("skill_id", "alias"), aliases, len(aliases), "aliases")
    await sync_identities(db, ("skills", "skill_aliases"))

    by_category: dict[str, list[int]] = {}
    for i, s in enumerate(taxonomy, start=1):
        by_category.setdefault(s.category, []).append(i)
    profiles: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    for person in await db.fetch_all(_freelancers):
        user_id = person["id"]
        category, picked = _choose_skills(rng, by_category, rng.randint(3, 8))
        headline, bio = _texts(rng, category, [taxonomy[i - 1] for i in picked])
        rate = BASE_RATE.get(category, 70) + rng.randint(-20, 80)
        availability = rng.choices(("available", "busy", "unavailable"), (6, 3, 1))[0]
        updated = now - timedelta(days=rng.randint(0, 365), seconds=rng.randint(0, 86_399))
        profiles.append((user_id, person["tenant_id"], headline, bio, rate, availability, updated))
        links.extend((user_id, skill_id) for skill_id in sorted(picked))
    columns = ("user_id", "tenant_id", "headline", "bio", "hourly_rate", "availability", "updated_at")
    await copy_all(db, "freelancer_profiles", columns, profiles, len(profiles), "profiles")
    await copy_all(db, "profile_skills", ("user_id", "skill_id"), links, len(links), "their skills")
