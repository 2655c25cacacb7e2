"""Freelancer profile statements."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache, partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select

from mercenary.db import Query
from mercenary.db.fulltext import SearchTarget, text_match
from mercenary.profiles.tables import freelancer_profiles as p
from mercenary.profiles.tables import profile_skills as ps
from mercenary.skills.tables import skills as s
from mercenary.users.tables import users as u

MAX_FILTER_SKILLS = 10
TARGET = SearchTarget(table=p, key="user_id", fts_table="fts_profiles")
PROFILE = (p.c.user_id, u.c.name, p.c.headline, p.c.bio, p.c.hourly_rate, p.c.availability, p.c.updated_at)
# Profiles of active users only: a deactivated freelancer disappears from reads and search.
VISIBLE = p.join(u, sa.and_(u.c.id == p.c.user_id, u.c.is_active == sa.true()))

get_profile = Query(
    "profiles.get", sa.select(*PROFILE).select_from(VISIBLE).where(p.c.user_id == sa.bindparam("user_id"))
)

_WRITE: dict[str, sa.BindParameter[Any]] = {
    "headline": sa.bindparam("headline"),
    "bio": sa.bindparam("bio"),
    "hourly_rate": sa.bindparam("hourly_rate"),
    "availability": sa.bindparam("availability"),
    "updated_at": sa.bindparam("updated_at"),
}
update_profile = Query(
    "profiles.update", sa.update(p).where(p.c.user_id == sa.bindparam("user_id")).values(**_WRITE)
)
insert_profile = Query(
    "profiles.insert",
    sa.insert(p).values(user_id=sa.bindparam("user_id"), tenant_id=sa.bindparam("tenant_id"), **_WRITE),
)
delete_profile_skills = Query(
    "profiles.delete_skills", sa.delete(ps).where(ps.c.user_id == sa.bindparam("user_id"))
)
skill_ids_of = Query(
    "profile_skills.ids_of", sa.select(ps.c.skill_id).where(ps.c.user_id == sa.bindparam("user_id"))
)
touch_profile = Query(
    "profiles.touch",
    sa.update(p).where(p.c.user_id == sa.bindparam("user_id")).values(updated_at=sa.bindparam("updated_at")),
)
insert_profile_skill = Query(
    "profiles.insert_skill",
    sa.insert(ps).values(user_id=sa.bindparam("user_id"), skill_id=sa.bindparam("skill_id")),
)

# The skill slugs of a whole page in one statement (DB-3): the link table joined to the taxonomy.
# One statement reads one snapshot, so a skill deleted meanwhile is either there with its slug or
# gone with its links (links and slugs read apart once met a link whose skill had vanished: a 500).
skills_of_profiles = Query(
    "profile_skills.of_profiles",
    sa.select(ps.c.user_id, s.c.slug)
    .select_from(ps.join(s, s.c.id == ps.c.skill_id))
    .where(ps.c.user_id.in_(sa.bindparam("user_ids", expanding=True))),
)


def _with_skills(stmt: Select[tuple[object, ...]], n_skills: int) -> Select[tuple[object, ...]]:
    """Profiles having every one of ``n_skills`` skills (bound as ``s0``, ``s1``, ...).

    The first skill is joined, so a keyset list can walk ``ix_profile_skills_skill_id_user_id`` in
    user id order and stop at the page size; the others are primary-key probes per candidate."""
    if not n_skills:
        return stmt
    first = ps.alias("ps0")
    stmt = stmt.join_from(
        p, first, sa.and_(first.c.user_id == p.c.user_id, first.c.skill_id == sa.bindparam("s0"))
    )
    for i in range(1, n_skills):
        other = ps.alias(f"ps{i}")
        stmt = stmt.where(
            sa.exists().where(other.c.user_id == p.c.user_id, other.c.skill_id == sa.bindparam(f"s{i}"))
        )
    return stmt


@lru_cache(maxsize=MAX_FILTER_SKILLS + 1)
def list_page(n_skills: int) -> Query:
    """Visible profiles with user id above ``after``, in user id order, filtered by ``n_skills``
    skills. One compiled statement per filter size, built on first use."""
    stmt = (
        sa.select(*PROFILE)
        .select_from(VISIBLE)
        .where(p.c.user_id > sa.bindparam("after"))
        .order_by(p.c.user_id)
        .limit(sa.bindparam("limit"))
    )
    return Query(f"profiles.list_{n_skills}", _with_skills(stmt, n_skills))


@lru_cache(maxsize=64)
def search_page(n_skills: int, has_after: bool) -> Query:
    """Visible profiles matching every word of the search text (bind ``search_text``), most
    relevant first (ties by user id), after the ``(rank, user_id)`` key of the last item served.
    One statement per shape and dialect, compiled once."""
    build = partial(_search_statement, n_skills, has_after)
    return Query(f"profiles.search_{n_skills}_{int(has_after)}", build)


def _search_statement(n_skills: int, has_after: bool, dialect_name: str) -> Select[tuple[object, ...]]:
    match = text_match(dialect_name, TARGET)
    stmt = (
        sa.select(*PROFILE, match.rank.label("rank"))
        .select_from(match.source.join(u, sa.and_(u.c.id == p.c.user_id, u.c.is_active == sa.true())))
        .where(match.where)
        .order_by(match.rank.desc(), p.c.user_id)
        .limit(sa.bindparam("limit"))
    )
    if has_after:
        rank = sa.bindparam("after_rank", type_=sa.Float())
        user_id: sa.BindParameter[int] = sa.bindparam("after_id")
        stmt = stmt.where(sa.or_(match.rank < rank, sa.and_(match.rank == rank, p.c.user_id > user_id)))
    return _with_skills(stmt, n_skills)


def skill_params(skill_ids: Sequence[int]) -> dict[str, int]:
    """Bind values for :func:`list_page` and :func:`search_page` skill filters."""
    return {f"s{i}": skill_id for i, skill_id in enumerate(skill_ids)}
