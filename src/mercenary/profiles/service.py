"""Freelancer profile use cases and the ``access_own_profile`` guard. The caller owns the transaction.

Access rule (SEC-1): any signed-in user reads any freelancer's profile. Only the freelancer writes
their own: for any other user id the answer is 404, the same as for a user who does not exist, so
a writer learns nothing about other accounts; a caller who is not a freelancer gets 403 on their
own id (their role cannot have a profile).
"""

from __future__ import annotations

from collections.abc import Sequence

from mercenary.db import Executor, IntegrityError, Row
from mercenary.db.fulltext import SEARCH_PARAM, terms
from mercenary.db.keyset import Keyset, Slice
from mercenary.db.metadata import utcnow
from mercenary.errors import ConflictError, InvalidRequestError, NotFoundError
from mercenary.profiles import queries
from mercenary.profiles.schemas import ProfileWrite
from mercenary.security.principal import Principal, require_role
from mercenary.skills import service as skills
from mercenary.users import service as users

NOT_FOUND = "No such freelancer profile."


def access_own_profile(principal: Principal, user_id: int) -> None:
    """Allow writing ``user_id``'s profile only to that freelancer (404 for anyone else's id)."""
    if principal.user_id != user_id:
        raise NotFoundError(NOT_FOUND)
    require_role(principal, "freelancer")


async def attach_skills(db: Executor, rows: Sequence[Row]) -> None:
    """Add ``skills`` (canonical slugs, sorted) to each profile row: one statement for any number
    of rows, links and slugs read together (a skill deleted meanwhile is simply not there)."""
    if not rows:
        return
    links = await db.fetch_all(queries.skills_of_profiles, user_ids=[r["user_id"] for r in rows])
    by_user: dict[int, list[str]] = {}
    for link in links:
        by_user.setdefault(int(link["user_id"]), []).append(link["slug"])
    for row in rows:
        row["skills"] = sorted(by_user.get(int(row["user_id"]), []))


async def get_profile(db: Executor, user_id: int) -> Row:
    """A freelancer's profile with skills; 404 when the user has none or is deactivated."""
    row = await db.fetch_one(queries.get_profile, user_id=user_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    await attach_skills(db, [row])
    return row


async def put_profile(conn: Executor, principal: Principal, user_id: int, body: ProfileWrite) -> Row:
    """Create or replace the caller's profile and its skills; 422 naming unknown skills."""
    access_own_profile(principal, user_id)
    user = await users.get_user(conn, user_id)
    skill_slugs = await skills.canonical_skills(conn, body.skills)
    values = {
        "user_id": user_id,
        "headline": body.headline,
        "bio": body.bio,
        "hourly_rate": body.hourly_rate,
        "availability": body.availability,
        "updated_at": utcnow(),
    }
    try:
        if not await conn.execute(queries.update_profile, **values):
            await conn.execute(queries.insert_profile, tenant_id=user["tenant_id"], **values)
    except IntegrityError as exc:  # two first PUTs of one profile raced; the other one won
        raise ConflictError("The profile was created concurrently; retry.") from exc
    await conn.execute(queries.delete_profile_skills, user_id=user_id)
    if skill_slugs:
        await skills.link_skills(
            conn,
            queries.insert_profile_skill,
            [{"user_id": user_id, "skill_id": s} for s in sorted(skill_slugs)],
        )
    return {**values, "name": user["name"], "skills": sorted(skill_slugs.values())}


async def add_skills(conn: Executor, principal: Principal, skill_ids: Sequence[int]) -> Row:
    """Add skills (by id) to the caller's own profile, keeping those it has; the profile then.
    404 when the caller has no profile, 422 past ``MAX_SKILLS`` in all."""
    access_own_profile(principal, principal.user_id)
    if not await conn.execute(queries.touch_profile, user_id=principal.user_id, updated_at=utcnow()):
        raise NotFoundError(NOT_FOUND)
    have = {int(r["skill_id"]) for r in await conn.fetch_all(queries.skill_ids_of, user_id=principal.user_id)}
    new = sorted(set(skill_ids) - have)
    if len(have) + len(new) > skills.MAX_SKILLS:
        raise InvalidRequestError(f"A profile has at most {skills.MAX_SKILLS} skills.")
    if new:
        await skills.link_skills(
            conn, queries.insert_profile_skill, [{"user_id": principal.user_id, "skill_id": s} for s in new]
        )
    return await get_profile(conn, principal.user_id)


def _skill_names(raw: Sequence[str]) -> list[str]:
    if len(raw) > queries.MAX_FILTER_SKILLS:
        raise InvalidRequestError(f"Filter by at most {queries.MAX_FILTER_SKILLS} skills.")
    return list(raw)


async def _filter_ids(db: Executor, names: Sequence[str]) -> list[int]:
    return sorted(set((await skills.resolve_skills(db, _skill_names(names))).values()))


async def list_profiles(
    db: Executor, *, page: Keyset, skill_names: Sequence[str], with_skills: bool
) -> Slice:
    """A page of visible profiles in user id order (keyed on ``(user_id,)``) having all of
    ``skill_names``, with their skills when ``with_skills``."""
    ids = await _filter_ids(db, skill_names)
    rows = await db.fetch_all(
        queries.list_page(len(ids)), after=page.id_above(), limit=page.fetch, **queries.skill_params(ids)
    )
    found = page.cut(rows, ("user_id",))
    if with_skills:
        await attach_skills(db, found.items)
    return found


async def search_profiles(
    db: Executor, *, text: str, page: Keyset, skill_names: Sequence[str], with_skills: bool
) -> Slice:
    """A page of visible profiles matching every word of ``text`` and having all of ``skill_names``,
    most relevant first (ties by user id, keyed on ``(rank, user_id)``), with their skills when
    ``with_skills``."""
    ids = await _filter_ids(db, skill_names)
    stmt = queries.search_page(len(ids), page.after is not None)
    params: dict[str, object] = {"limit": page.fetch, SEARCH_PARAM: terms(text), **queries.skill_params(ids)}
    if page.after is not None:
        params |= {"after_rank": page.after[0], "after_id": page.after[1]}
    found = page.cut(await db.fetch_all(stmt, **params), ("rank", "user_id"))
    if with_skills:
        await attach_skills(db, found.items)
    return found
