"""``GET /api/v1/search/projects``: full-text search over the open projects of every organization."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from mercenary.projects import listing
from mercenary.projects.relations import attach, parse_includes
from mercenary.projects.routes import (
    PAGE,
    CursorParam,
    FieldsParam,
    IncludeParam,
    SkillsParam,
    shape_page,
    split_skills,
)
from mercenary.web.deps import DB, CurrentUser, Cursors, Limit

router = APIRouter(prefix="/api/v1/search", tags=["search"])


@router.get("/projects", response_model=None, responses=PAGE)
async def search_projects(
    db: DB,
    principal: CurrentUser,
    cursors: Cursors,
    q: Annotated[str, Query(min_length=1, max_length=256, description="words to find (all of them)")],
    skills: SkillsParam = None,
    limit: Limit = 20,
    cursor: CursorParam = None,
    fields: FieldsParam = None,
    include: IncludeParam = None,
) -> Response:
    """Open projects matching every word of `q` (stemmed, title weighted above description), most
    relevant first, optionally requiring all of `skills=a,b`."""
    includes = parse_includes(include)
    f = listing.ProjectFilter(scope="market", skills=split_skills(skills), text=q)
    items, next_cursor, has_more = await listing.list_projects(
        db, principal, f, cursor=cursor, limit=limit, codec=cursors
    )
    return shape_page(await attach(db, items, includes), next_cursor, has_more, fields, includes)
