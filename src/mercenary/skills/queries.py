"""Skill statements."""

import sqlalchemy as sa

from mercenary.skills.tables import skill_aliases as a
from mercenary.skills.tables import skills as s

# Slugs and aliases that name a skill, for a given set of names.
resolve_names = (
    sa.select(s.c.id, s.c.slug)
    .where(s.c.slug.in_(sa.bindparam("names", expanding=True)))
    .union_all(
        sa.select(s.c.id, a.c.alias.label("slug"))
        .select_from(a.join(s, s.c.id == a.c.skill_id))
        .where(a.c.alias.in_(sa.bindparam("names", expanding=True)))
    )
)

slugs_for_ids = sa.select(s.c.id, s.c.slug).where(s.c.id.in_(sa.bindparam("ids", expanding=True)))
