"""Skill endpoints: everyone signed in reads the taxonomy; admins curate it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from mercenary.db import Connection, run_transaction
from mercenary.errors import InvalidRequestError, NotFoundError, PermissionDeniedError
from mercenary.security.principal import require_role
from mercenary.skills import service
from mercenary.skills.errors import SkillNameTakenError
from mercenary.skills.schemas import SkillCreate, SkillRead, SkillUpdate
from mercenary.web.deps import ObjectId, SignedIn
from mercenary.web.idempotency import Idempotent, caller_scope, serialized
from mercenary.web.openapi import raises

router = APIRouter(prefix="/api/v1/skills", tags=["skills"])


@router.get("", response_model=list[SkillRead], response_class=Response)
async def list_skills(caller: SignedIn) -> Response:
    """The whole taxonomy (a few hundred skills) in id order, each with its aliases. Not paginated:
    it is small, changes rarely, and clients cache it whole."""
    state = caller.state
    return Response(await service.taxonomy_json(state.db, state.cache), media_type="application/json")


@router.post("", status_code=201, response_model=SkillRead)
@raises(PermissionDeniedError, InvalidRequestError, SkillNameTakenError)
async def create_skill(body: SkillCreate, caller: SignedIn, idem: Idempotent) -> Response:
    """Add a skill (admins only). 409 when its slug or an alias already names a skill. Safe to
    retry with an `Idempotency-Key`."""
    state, principal = caller.state, caller.principal
    require_role(principal, "admin")

    async def create(conn: Connection) -> bytes:
        skill = await service.create_skill(
            conn, state.cache, slug=body.slug, name=body.name, category=body.category, aliases=body.aliases
        )
        return serialized(SkillRead, skill)

    return await idem.run(state, caller_scope(principal), 201, create)


@router.patch("/{skill_id}", response_model=SkillRead)
@raises(PermissionDeniedError, NotFoundError, InvalidRequestError, SkillNameTakenError)
async def update_skill(skill_id: ObjectId, body: SkillUpdate, caller: SignedIn) -> dict[str, Any]:
    """Change a skill (admins only); `aliases`, when given, replaces the whole set."""
    state, principal = caller.state, caller.principal
    require_role(principal, "admin")
    changes = body.changes()
    return await run_transaction(
        state.db,
        lambda conn: service.update_skill(conn, state.cache, skill_id, changes),
        what="a skill update",
    )


@router.delete("/{skill_id}", status_code=204, response_class=Response)
@raises(PermissionDeniedError, NotFoundError)
async def delete_skill(skill_id: ObjectId, caller: SignedIn) -> Response:
    """Remove a skill (admins only), with its aliases and its links to profiles and projects."""
    state, principal = caller.state, caller.principal
    require_role(principal, "admin")
    await run_transaction(
        state.db, lambda conn: service.delete_skill(conn, state.cache, skill_id), what="a skill deletion"
    )
    return Response(status_code=204)
