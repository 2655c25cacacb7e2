"""User endpoints: the caller, their organization's members, and public views."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from mercenary.errors import NotFoundError
from mercenary.users import service
from mercenary.users.schemas import USER_FIELDS, UserPage, UserPublic, UserRead
from mercenary.web.deps import Limit, ObjectId, SignedIn
from mercenary.web.fields import parse_fields, select_fields
from mercenary.web.openapi import raises
from mercenary.web.pagination import Pager

router = APIRouter(prefix="/api/v1/users", tags=["users"])

SCOPE = "users.members"


@router.get("/me", response_model=UserRead)
@raises(NotFoundError)
async def me(caller: SignedIn) -> dict[str, Any]:
    """The signed-in user."""
    state, principal = caller.state, caller.principal
    return await service.cached_user(state.db, state.cache, principal.user_id)


@router.get("", response_model=UserPage, response_description="A page of users (fields as selected).")
async def list_users(
    caller: SignedIn,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    fields: Annotated[str | None, Query(max_length=512, description="e.g. id,name")] = None,
) -> Response:
    """Members of the caller's organization, in id order, a page at a time."""
    db, principal = caller.state.db, caller.principal
    cursors = caller.state.cursors
    selected = parse_fields(fields, USER_FIELDS)
    pager = Pager(cursors, SCOPE)
    page = await service.list_members(db, tenant_id=principal.tenant_id, page=pager.keyset(cursor, limit))
    return pager.response(
        page,
        [select_fields(UserRead.model_validate(r).model_dump(mode="json"), selected) for r in page.items],
    )


@router.get("/{user_id}", response_model=UserPublic)
@raises(NotFoundError)
async def get_user(caller: SignedIn, user_id: ObjectId) -> dict[str, Any]:
    """A user's public view, for a caller with a reason to see them: any freelancer, a member of
    the caller's organization, or (for a freelancer) a member of an organization whose project they
    proposed on. Anyone else is a 404, as for an id that does not exist."""
    state = caller.state
    return await service.visible_user(state.db, state.cache, caller.principal, user_id)
