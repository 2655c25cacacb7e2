"""Project endpoints: post, list (market or own), search, read, change (one or a batch), delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from mercenary.db import Connection, run_transaction
from mercenary.errors import EmptySearchError, InvalidRequestError, OverloadedError, PermissionDeniedError
from mercenary.projects import batch as batches
from mercenary.projects import listing, service
from mercenary.projects.cache import MARKET, PAGES, SKILLS, tenant_family
from mercenary.projects.errors import (
    BatchConflictError,
    BatchInvalidError,
    InvalidFilterError,
    InvalidTransitionError,
    ProjectNotDeletableError,
    ProjectNotEditableError,
    ProjectNotFoundError,
    UnknownIncludeError,
)
from mercenary.projects.relations import attach, parse_includes
from mercenary.projects.schemas import (
    INCLUDES,
    PROJECT_FIELDS,
    ProjectBatch,
    ProjectBatchResult,
    ProjectCreate,
    ProjectPage,
    ProjectRead,
    ProjectUpdate,
    Status,
)
from mercenary.skills.errors import UnknownSkillError
from mercenary.web.deps import Caller, Limit, ObjectId, SignedIn
from mercenary.web.errors import InvalidCursorError
from mercenary.web.fields import parse_fields, select_fields
from mercenary.web.idempotency import Idempotent, caller_scope, serialized
from mercenary.web.openapi import raises
from mercenary.web.pagination import BY_ID, BY_RANK, Pager
from mercenary.web.responses import json_body
from mercenary.web.schemas import NO_CONTROL

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])
search_router = APIRouter(prefix="/api/v1/search", tags=["search"])

CursorParam = Annotated[str | None, Query(max_length=512)]
FieldsParam = Annotated[str | None, Query(max_length=512, description="e.g. id,title,budget")]
IncludeParam = Annotated[str | None, Query(max_length=128, description=f"any of {', '.join(INCLUDES)}")]
SkillsParam = Annotated[
    str | None,
    Query(max_length=1024, pattern=NO_CONTROL, description="comma-separated slugs; all required"),
]
TextParam = Annotated[str | None, Query(min_length=1, max_length=256, description="full-text query")]
PAGE = "A page of projects (fields as selected, relations as included)."


def split_skills(raw: str | None) -> tuple[str, ...]:
    """``a,b`` as a tuple of names."""
    return tuple(s.strip() for s in (raw or "").split(",") if s.strip())


async def _project_page(
    caller: Caller,
    f: listing.ProjectFilter,
    *,
    cursor: str | None,
    limit: int,
    fields: str | None,
    include: str | None,
) -> Response:
    """The page of the project list ``f`` describes: ``?include=`` relations attached, items cut to
    ``?fields=`` (included relations are always kept). Bad ``include``/``fields``/``cursor`` are
    refused before any work. The one path of the market list, an organization's list and project
    search. A page without ``include`` is served from the cache (``projects/cache.py``)."""
    db, cache, principal = caller.state.db, caller.state.cache, caller.principal
    includes = parse_includes(include)
    selected = parse_fields(fields, PROJECT_FIELDS)
    keep = None if selected is None else selected | includes
    pager = Pager(caller.state.cursors, f.cursor_scope(), BY_RANK if f.ranked else BY_ID)
    keyset = pager.keyset(cursor, limit)
    if includes or f.text:  # heavy: a search, or relations attached uncached (RES-4)
        caller.state.overload.check()

    async def load() -> bytes:
        page = await listing.list_projects(db, principal, f, keyset)
        shaped = [
            select_fields(ProjectRead.model_validate(r).model_dump(mode="json", exclude_none=True), keep)
            for r in await attach(db, page.items, includes)
        ]
        return pager.body(page, shaped)

    if includes:
        return json_body(await load())
    family = MARKET if f.scope == "market" else tenant_family(principal.tenant_id)
    fields_key = ",".join(sorted(selected)) if selected is not None else "*"
    key = f"{family}|{pager.scope}|{keyset.after}|{keyset.limit}|{fields_key}"
    body = await cache.get(PAGES, key, load, family=family, depends=SKILLS)
    assert body is not None
    return json_body(body)


@router.post("", status_code=201, response_model=ProjectRead, response_model_exclude_none=True)
@raises(PermissionDeniedError, UnknownSkillError)
async def post_project(body: ProjectCreate, caller: SignedIn, idem: Idempotent) -> Response:
    """Post a project for the caller's organization (clients only). It starts as a draft unless
    `status` is `open`; `skills` are slugs (or aliases) from the taxonomy. Safe to retry with an
    `Idempotency-Key`."""
    state, principal = caller.state, caller.principal

    async def create(conn: Connection) -> bytes:
        project = await service.post_project(conn, state.cache, principal, body)
        return serialized(ProjectRead, project, exclude_none=True)

    return await idem.run(state, caller_scope(principal), 201, create)


@router.get("", response_model=ProjectPage, response_description=PAGE)
@raises(
    UnknownIncludeError,
    InvalidFilterError,
    UnknownSkillError,
    EmptySearchError,
    InvalidRequestError,
    InvalidCursorError,
    OverloadedError,
)
async def list_projects(
    caller: SignedIn,
    scope: listing.Scope = "market",
    status: Status | None = None,
    skills: SkillsParam = None,
    q: TextParam = None,
    limit: Limit = 20,
    cursor: CursorParam = None,
    fields: FieldsParam = None,
    include: IncludeParam = None,
) -> Response:
    """Projects newest first (by relevance when `q` is given). `scope=market` (default) lists the
    open projects of every organization; `scope=mine` lists the caller's organization's projects in any
    status. `skills=a,b` keeps projects requiring all of them."""
    f = listing.ProjectFilter(scope=scope, status=status, skills=split_skills(skills), text=q)
    return await _project_page(caller, f, cursor=cursor, limit=limit, fields=fields, include=include)


@router.patch("", response_model=ProjectBatchResult, response_model_exclude_none=True)
@raises(PermissionDeniedError, BatchInvalidError, BatchConflictError)
async def update_projects(body: ProjectBatch, caller: SignedIn) -> dict[str, Any]:
    """Change up to 100 of the caller's organization's projects in one transaction. Every item is
    validated first; if any is invalid the answer is 422 `batch_invalid` with `errors` (index, id,
    code, message) and nothing changes."""
    state, principal = caller.state, caller.principal
    items = await run_transaction(
        state.db, lambda conn: batches.update_projects(conn, state.cache, principal, body), what="a batch"
    )
    return {"items": items}


@router.get("/{project_id}", response_model=ProjectRead, response_model_exclude_none=True)
@raises(ProjectNotFoundError, UnknownIncludeError)
async def get_project(caller: SignedIn, project_id: ObjectId, include: IncludeParam = None) -> Any:
    """A project with its skills (and `owner`, `proposal_count` on `?include=`). Open and closed
    projects are visible to every signed-in user; drafts and cancelled ones only to their organization."""
    state, principal = caller.state, caller.principal
    includes = parse_includes(include)
    if not includes:  # the cached body as it is
        return json_body(await service.project_json(state.db, state.cache, principal, project_id))
    return await service.get_project(state.db, state.cache, principal, project_id, includes)


@router.patch("/{project_id}", response_model=ProjectRead, response_model_exclude_none=True)
@raises(
    PermissionDeniedError,
    ProjectNotFoundError,
    InvalidRequestError,
    UnknownSkillError,
    ProjectNotEditableError,
    InvalidTransitionError,
)
async def update_project(body: ProjectUpdate, caller: SignedIn, project_id: ObjectId) -> dict[str, Any]:
    """Change a project of the caller's organization: fields while it is a draft or open; `status`
    from draft to open or cancelled, or from open to cancelled (pending proposals are rejected)."""
    state, principal = caller.state, caller.principal
    return await run_transaction(
        state.db,
        lambda conn: service.update_project(conn, state.cache, principal, project_id, body),
        what="a project update",
    )


@router.delete("/{project_id}", status_code=204, response_class=Response)
@raises(PermissionDeniedError, ProjectNotFoundError, ProjectNotDeletableError)
async def delete_project(caller: SignedIn, project_id: ObjectId) -> Response:
    """Delete a draft of the caller's organization. A published project is cancelled instead (409)."""
    state, principal = caller.state, caller.principal
    await run_transaction(
        state.db,
        lambda conn: service.delete_project(conn, state.cache, principal, project_id),
        what="a project deletion",
    )
    return Response(status_code=204)


@search_router.get("/projects", response_model=ProjectPage, response_description=PAGE)
@raises(
    UnknownIncludeError,
    UnknownSkillError,
    EmptySearchError,
    InvalidRequestError,
    InvalidCursorError,
    OverloadedError,
)
async def search_projects(
    caller: SignedIn,
    q: Annotated[str, Query(min_length=1, max_length=256, description="words to find (all of them)")],
    skills: SkillsParam = None,
    limit: Limit = 20,
    cursor: CursorParam = None,
    fields: FieldsParam = None,
    include: IncludeParam = None,
) -> Response:
    """Open projects matching every word of `q` (stemmed, title weighted above description), most
    relevant first, optionally requiring all of `skills=a,b`."""
    f = listing.ProjectFilter(scope="market", skills=split_skills(skills), text=q)
    return await _project_page(caller, f, cursor=cursor, limit=limit, fields=fields, include=include)
