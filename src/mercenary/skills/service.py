"""Skill use cases: reading and curating the taxonomy (admins), and turning names into ids and ids
into slugs for other domains. The caller owns the transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import TypeAdapter

from mercenary.backends.cache import CacheSpec, CacheStore
from mercenary.db import Connection, Executor, IntegrityError, Query, Row
from mercenary.db.metadata import utcnow
from mercenary.errors import InvalidRequestError, NotFoundError
from mercenary.skills import queries
from mercenary.skills.errors import SkillNameTakenError, UnknownSkillError
from mercenary.skills.schemas import SkillRead

MAX_SKILLS = 30
# What any slug or alias looks like (case aside): anything else cannot name a skill, and is never
# sent to the database (PostgreSQL refuses some bytes, e.g. NUL, with an error rather than no match).
_NAME = re.compile(r"[a-z0-9][a-z0-9+#.-]{0,63}")


async def _resolve(conn: Executor, names: Iterable[str]) -> list[Row]:
    wanted = sorted({n.strip().lower() for n in names if n.strip()})
    if len(wanted) > MAX_SKILLS:
        raise InvalidRequestError(f"At most {MAX_SKILLS} skills.")
    if not wanted:
        return []
    plausible = [n for n in wanted if _NAME.fullmatch(n)]
    rows = await conn.fetch_all(queries.resolve_names, names=plausible) if plausible else []
    found = {r["slug"] for r in rows}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise UnknownSkillError(f"Unknown skill(s): {', '.join(unknown)}.", unknown=unknown)
    return rows


async def resolve_skills(conn: Executor, names: Iterable[str]) -> dict[str, int]:
    """Map each slug or alias in ``names`` to its skill id; 422 listing any unknown name."""
    return {r["slug"]: int(r["id"]) for r in await _resolve(conn, names)}


async def canonical_skills(conn: Executor, names: Iterable[str]) -> dict[int, str]:
    """The skills that ``names`` (slugs or aliases) denote, as id -> canonical slug, in one
    statement; 422 listing any unknown name."""
    return {int(r["id"]): r["canonical"] for r in await _resolve(conn, names)}


async def slugs_by_id(conn: Executor, ids: Iterable[int]) -> dict[int, str]:
    """The canonical slug of each skill id (ids that do not exist are left out)."""
    unique = sorted(set(ids))
    if not unique:
        return {}
    rows = await conn.fetch_all(queries.slugs_for_ids, ids=unique)
    return {int(r["id"]): r["slug"] for r in rows}


async def link_skills(conn: Executor, query: Query, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` of a link table to skills (a profile's, a project's) with ``query``. A skill
    resolved earlier in the transaction but deleted (and committed) since breaks the link's foreign
    key: that is a 422 ``unknown_skill``, as if the name had been unknown from the start."""
    try:
        await conn.execute_many(query, rows)
    except IntegrityError as exc:
        if exc.constraint is None or not exc.constraint.endswith("_skill_id_skills"):
            raise
        raise UnknownSkillError("A skill was deleted while the request ran; send the skills again.") from exc


# CACHE-1: the taxonomy changes rarely; its serialized list is cached for 10 minutes (an hour more
# if the database fails) and invalidated once a change has committed, in every API process at once.
# Whatever shows skill slugs (a cached project, say) depends on TAXONOMY's token, so a renamed slug
# is never served from an older entry.
TAXONOMY = CacheSpec("skills", ttl=600, stale_for=3600)
TAXONOMY_FAMILY = "taxonomy"
_TAXONOMY = TypeAdapter(list[SkillRead])


async def taxonomy_json(db: Executor, cache: CacheStore) -> bytes:
    """The whole taxonomy as the JSON body of ``GET /skills``, from the cache when it holds it."""

    async def load() -> bytes:
        return _TAXONOMY.dump_json(_TAXONOMY.validate_python(await list_skills(db)))

    body = await cache.get(TAXONOMY, "list", load, family=TAXONOMY_FAMILY)
    assert body is not None
    return body


def _purge_taxonomy_after_commit(conn: Connection, cache: CacheStore) -> None:
    cache.invalidate_after_commit(conn, TAXONOMY, TAXONOMY_FAMILY)


async def list_skills(db: Executor) -> list[Row]:
    """The whole taxonomy in id order, each skill with its aliases: two statements in all."""
    skills = await db.fetch_all(queries.list_skills)
    aliases: dict[int, list[str]] = {}
    for row in await db.fetch_all(queries.list_aliases):
        aliases.setdefault(int(row["skill_id"]), []).append(row["alias"])
    return [{**s, "aliases": aliases.get(int(s["id"]), [])} for s in skills]


async def _check_names(conn: Executor, skill_id: int | None, slug: str, aliases: Sequence[str]) -> None:
    """409 when ``slug`` or an alias already names a skill other than ``skill_id``. The unique
    indexes catch slug/slug and alias/alias clashes; this also catches slug/alias ones."""
    if slug in aliases:
        raise InvalidRequestError("An alias cannot repeat the skill's own slug.", alias=slug)
    rows = await conn.fetch_all(queries.resolve_names, names=sorted({slug, *aliases}))
    taken = sorted({r["slug"] for r in rows if int(r["id"]) != skill_id})
    if taken:
        raise SkillNameTakenError(f"Already used by another skill: {', '.join(taken)}.", taken=taken)


async def _write_aliases(conn: Executor, skill_id: int, aliases: Sequence[str]) -> None:
    await conn.execute(queries.delete_aliases, id=skill_id)
    if aliases:
        await conn.execute_many(queries.insert_alias, [{"skill_id": skill_id, "alias": a} for a in aliases])


async def create_skill(
    conn: Connection, cache: CacheStore, *, slug: str, name: str, category: str, aliases: Sequence[str]
) -> Row:
    """Add a skill with its aliases; 409 if any of its names is taken."""
    _purge_taxonomy_after_commit(conn, cache)
    wanted = sorted(set(aliases))
    await _check_names(conn, None, slug, wanted)
    try:
        row = await conn.fetch_one(
            queries.insert_skill, slug=slug, name=name, category=category, created_at=utcnow()
        )
        assert row is not None
        await _write_aliases(conn, int(row["id"]), wanted)
    except IntegrityError as exc:  # a concurrent writer took the name between check and insert
        raise SkillNameTakenError("A slug or alias is already used by another skill.") from exc
    return {**row, "aliases": wanted}


async def update_skill(conn: Connection, cache: CacheStore, skill_id: int, changes: dict[str, Any]) -> Row:
    """Change a skill's fields; ``aliases``, when given, replaces the set. 404 if missing, 409 if a
    new name is taken."""
    _purge_taxonomy_after_commit(conn, cache)
    current = await conn.fetch_one(queries.get_skill, id=skill_id)
    if current is None:
        raise NotFoundError("No such skill.")
    merged = {**current, **{k: v for k, v in changes.items() if k != "aliases"}}
    if "aliases" in changes:
        aliases = sorted(set(changes["aliases"]))
    else:
        aliases = [r["alias"] for r in await conn.fetch_all(queries.aliases_of, id=skill_id)]
    await _check_names(conn, skill_id, merged["slug"], aliases)
    try:
        row = await conn.fetch_one(
            queries.update_skill,
            id=skill_id,
            slug=merged["slug"],
            name=merged["name"],
            category=merged["category"],
        )
        assert row is not None
        if "aliases" in changes:
            await _write_aliases(conn, skill_id, aliases)
    except IntegrityError as exc:
        raise SkillNameTakenError("A slug or alias is already used by another skill.") from exc
    return {**row, "aliases": aliases}


async def delete_skill(conn: Connection, cache: CacheStore, skill_id: int) -> None:
    """Remove a skill, its aliases and every profile's and project's link to it; 404 if missing.
    Link writes wait for the few milliseconds it takes (``queries.lock_links`` says why)."""
    _purge_taxonomy_after_commit(conn, cache)
    await conn.execute(queries.lock_links)
    if not await conn.execute(queries.delete_skill, id=skill_id):
        raise NotFoundError("No such skill.")
