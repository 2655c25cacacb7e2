"""Skill use cases other domains rely on: turning names into ids and ids into slugs."""

from __future__ import annotations

from collections.abc import Iterable

from mercenary.db import Executor
from mercenary.errors import InvalidRequestError
from mercenary.skills import queries

MAX_SKILLS = 30


class UnknownSkillError(InvalidRequestError):
    """A skill slug (or alias) that the taxonomy does not have."""

    code = "unknown_skill"
    title = "Unknown skill"


async def resolve_skills(conn: Executor, names: Iterable[str]) -> dict[str, int]:
    """Map each slug or alias in ``names`` to its skill id; 422 listing any unknown name."""
    wanted = sorted({n.strip().lower() for n in names if n.strip()})
    if len(wanted) > MAX_SKILLS:
        raise InvalidRequestError(f"At most {MAX_SKILLS} skills.")
    if not wanted:
        return {}
    rows = await conn.fetch_all(queries.resolve_names, names=wanted)
    found = {r["slug"]: int(r["id"]) for r in rows}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise UnknownSkillError(f"Unknown skill(s): {', '.join(unknown)}.", unknown=unknown)
    return found


async def slugs_by_id(conn: Executor, ids: Iterable[int]) -> dict[int, str]:
    """The canonical slug of each skill id (ids that do not exist are left out)."""
    unique = sorted(set(ids))
    if not unique:
        return {}
    rows = await conn.fetch_all(queries.slugs_for_ids, ids=unique)
    return {int(r["id"]): r["slug"] for r in rows}
