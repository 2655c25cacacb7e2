"""Skill endpoints: everyone signed in reads the taxonomy; admins curate it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import TypeAdapter
from starlette.responses import Response

from mercenary.backends.cache.readthrough import invalidate, read_through
from mercenary.security.principal import require_role
from mercenary.skills import service
from mercenary.skills.schemas import SkillCreate, SkillRead, SkillUpdate
from mercenary.web.deps import CurrentUser, ObjectId, State

router = APIRouter(prefix="/api/v1/skills", tags=["skills"])

# CACHE-1: the taxonomy changes rarely; its serialized list is cached for 10 minutes and dropped
# after every committed change (with a shared cache, on every API process at once).
LIST_KEY = "skills:list:v1"
LIST_TTL_S = 600
_LIST = TypeAdapter(list[SkillRead])


@router.get("", response_model=list[SkillRead], response_class=Response)
async def list_skills(state: State, principal: CurrentUser) -> Response:
    """The whole taxonomy (a few hundred skills) in id order, each with its aliases. Not paginated:
    it is small, changes rarely, and clients cache it whole."""

    async def load() -> bytes:
        return _LIST.dump_json(_LIST.validate_python(await service.list_skills(state.db)))

    body = await read_through(state.cache, LIST_KEY, LIST_TTL_S, load)
    return Response(body, media_type="application/json")


@router.post("", status_code=201, response_model=SkillRead)
async def create_skill(body: SkillCreate, state: State, principal: CurrentUser) -> dict[str, Any]:
    """Add a skill (admins only). 409 when its slug or an alias already names a skill."""
    require_role(principal, "admin")
    async with state.db.transaction() as conn:
        row = await service.create_skill(
            conn, slug=body.slug, name=body.name, category=body.category, aliases=body.aliases
        )
    await invalidate(state.cache, LIST_KEY)
    return row


@router.patch("/{skill_id}", response_model=SkillRead)
async def update_skill(
    skill_id: ObjectId, body: SkillUpdate, state: State, principal: CurrentUser
) -> dict[str, Any]:
    """Change a skill (admins only); `aliases`, when given, replaces the whole set."""
    require_role(principal, "admin")
    async with state.db.transaction() as conn:
        row = await service.update_skill(conn, skill_id, body.changes())
    await invalidate(state.cache, LIST_KEY)
    return row


@router.delete("/{skill_id}", status_code=204, response_class=Response)
async def delete_skill(skill_id: ObjectId, state: State, principal: CurrentUser) -> Response:
    """Remove a skill (admins only), with its aliases and its links to profiles and projects."""
    require_role(principal, "admin")
    async with state.db.transaction() as conn:
        await service.delete_skill(conn, skill_id)
    await invalidate(state.cache, LIST_KEY)
    return Response(status_code=204)
