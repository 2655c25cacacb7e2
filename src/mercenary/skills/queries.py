"""Skill statements."""

import sqlalchemy as sa

from mercenary.db import Query
from mercenary.skills.tables import skill_aliases as a
from mercenary.skills.tables import skills as s

SKILL = (s.c.id, s.c.slug, s.c.name, s.c.category)

# Slugs and aliases that name a skill, for a given set of names, with the canonical slug of each.
resolve_names = Query(
    "skills.resolve_names",
    sa.select(s.c.id, s.c.slug, s.c.slug.label("canonical"))
    .where(s.c.slug.in_(sa.bindparam("names", expanding=True)))
    .union_all(
        sa.select(s.c.id, a.c.alias.label("slug"), s.c.slug.label("canonical"))
        .select_from(a.join(s, s.c.id == a.c.skill_id))
        .where(a.c.alias.in_(sa.bindparam("names", expanding=True)))
    ),
)

slugs_for_ids = Query(
    "skills.slugs_for_ids", sa.select(s.c.id, s.c.slug).where(s.c.id.in_(sa.bindparam("ids", expanding=True)))
)

# The whole taxonomy in two statements (skills, then every alias), whatever its size.
list_skills = Query("skills.list", sa.select(*SKILL).order_by(s.c.id))
list_aliases = Query(
    "skills.list_aliases", sa.select(a.c.skill_id, a.c.alias).order_by(a.c.skill_id, a.c.alias)
)

get_skill = Query("skills.get", sa.select(*SKILL).where(s.c.id == sa.bindparam("id")))
aliases_of = Query(
    "skills.aliases_of", sa.select(a.c.alias).where(a.c.skill_id == sa.bindparam("id")).order_by(a.c.alias)
)

insert_skill = Query(
    "skills.insert",
    sa.insert(s)
    .values(
        slug=sa.bindparam("slug"),
        name=sa.bindparam("name"),
        category=sa.bindparam("category"),
        created_at=sa.bindparam("created_at"),
    )
    .returning(*SKILL),
)

update_skill = Query(
    "skills.update",
    sa.update(s)
    .where(s.c.id == sa.bindparam("id"))
    .values(slug=sa.bindparam("slug"), name=sa.bindparam("name"), category=sa.bindparam("category"))
    .returning(*SKILL),
)

# Aliases and every profile/project link go with the skill (ON DELETE CASCADE).
delete_skill = Query("skills.delete", sa.delete(s).where(s.c.id == sa.bindparam("id")))


def _lock_links(dialect_name: str) -> sa.ClauseElement:
    # PostgreSQL: every link insert takes a KEY SHARE lock on its skill's row, and new KEY SHARE
    # lockers join the current ones without queueing behind a waiting DELETE, so under a steady
    # stream of profile and project writes the DELETE of a skill starved past the statement timeout.
    # A table lock queues fairly: it waits for the writers in flight, holds new ones back for the
    # few milliseconds the delete takes, and (SHARE ROW EXCLUSIVE conflicts with itself) two deletes
    # take turns instead of deadlocking. The tables are named, not imported: a skill knows that
    # links to it exist (the foreign keys cascade), not how their domains build them. SQLite has
    # one writer at a time already: a no-op there.
    if dialect_name == "postgresql":
        return sa.text("LOCK TABLE profile_skills, project_skills IN SHARE ROW EXCLUSIVE MODE")
    return sa.select(sa.literal(1))


lock_links = Query("skills.lock_links", _lock_links)

insert_alias = Query(
    "skills.insert_alias",
    sa.insert(a).values(skill_id=sa.bindparam("skill_id"), alias=sa.bindparam("alias")),
)
delete_aliases = Query("skills.delete_aliases", sa.delete(a).where(a.c.skill_id == sa.bindparam("id")))
