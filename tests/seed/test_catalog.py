"""The catalog seed: the taxonomy with fixed ids and a searchable profile for every freelancer."""

from __future__ import annotations

import random
import re

import sqlalchemy as sa

from mercenary.backends.cache import CacheStore
from mercenary.db import Database
from mercenary.db.keyset import Keyset
from mercenary.profiles import service as profiles
from mercenary.seed.bulk import SCALES
from mercenary.seed.catalog import seed_catalog
from mercenary.seed.runner import seed_people
from mercenary.seed.taxonomy import TAXONOMY
from mercenary.skills import service as skills

SLUG = re.compile(r"[a-z0-9][a-z0-9+#.-]{0,63}")


def test_taxonomy_is_valid() -> None:
    names = [s.slug for s in TAXONOMY] + [a for s in TAXONOMY for a in s.aliases]
    assert len(TAXONOMY) == SCALES["full"].skills == 300
    assert len(set(names)) == len(names) and all(SLUG.fullmatch(n) for n in names)
    assert {s.category for s in TAXONOMY} >= {"Programming Languages", "Design", "Marketing"}


async def test_seed_catalog(db: Database) -> None:
    scale = SCALES["demo"]
    rng = random.Random(3)
    await seed_people(db, scale, rng, "not-a-real-hash")
    await seed_catalog(db, scale, rng)

    taxonomy = await skills.list_skills(db)
    assert [s["id"] for s in taxonomy] == list(range(1, 301))
    ids = {s.slug: i for i, s in enumerate(TAXONOMY, start=1)}
    expected = {"js": ids["javascript"], "k8s": ids["kubernetes"], "golang": ids["go"]}
    assert await skills.resolve_skills(db, ["js", "k8s", "golang"]) == expected

    profiles_by_user = {
        r["user_id"]: r
        for r in await db.fetch_all(
            sa.text(
                "SELECT p.user_id, p.tenant_id AS profile_tenant, u.tenant_id, p.hourly_rate,"
                " (SELECT count(*) FROM profile_skills s WHERE s.user_id = p.user_id) AS skills"
                " FROM freelancer_profiles p JOIN users u ON u.id = p.user_id"
            ).columns(
                sa.column("user_id"),
                sa.column("profile_tenant"),
                sa.column("tenant_id"),
                sa.column("hourly_rate"),
                sa.column("skills"),
            )
        )
    }
    freelancer_ids = range(scale.clients + 2, scale.clients + scale.freelancers + 2)
    assert sorted(profiles_by_user) == list(freelancer_ids)
    for row in profiles_by_user.values():
        assert (
            row["profile_tenant"] == row["tenant_id"] and 3 <= row["skills"] <= 8 and row["hourly_rate"] >= 0
        )

    # The text is searchable on both dialects, and the skill filter agrees with it.
    found = await profiles.search_profiles(
        db, text="experience clients", page=Keyset(None, 100), skill_names=[], with_skills=True
    )
    assert len(found.items) == scale.freelancers and all(r["skills"] for r in found.items)
    listed = await profiles.list_profiles(
        db, page=Keyset(None, 100), skill_names=["python"], with_skills=True
    )
    assert all("python" in r["skills"] for r in listed.items)

    # Identity sequences moved past the explicit ids.
    cache = await CacheStore.open("memory://", secret="test")
    async with db.transaction() as conn:
        new = await skills.create_skill(
            conn, cache, slug="zig", name="Zig", category="Programming Languages", aliases=["ziglang"]
        )
    await cache.close()
    assert new["id"] == 301
