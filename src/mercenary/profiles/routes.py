"""Freelancer endpoints: profiles, the freelancer list, and freelancer search.

Search pages are keyset-paginated on ``(rank, user_id)``, not by offset. The rank is recomputed
for every match anyway (the top-N sort needs it), so filtering on it costs nothing more, whereas
an offset makes the sort keep ``offset + limit`` rows and lets deep pages grow without bound. The
key is stable: on PostgreSQL ``ts_rank_cd`` depends only on the document and the query, so a
profile keeps its rank until it is edited, and a page never repeats or skips an unchanged profile.
(SQLite's ``bm25`` also weighs corpus statistics, so on the embedded default concurrent writes can
nudge ranks; the ``user_id`` tie-break still keeps every page in a strict total order.) The cursor
is signed with the normalized search words in its scope, so it cannot be replayed with another ``q``.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from starlette.responses import Response, StreamingResponse

from mercenary.db import Database, run_transaction
from mercenary.db.fulltext import terms
from mercenary.errors import (
    ConflictError,
    EmptySearchError,
    InvalidRequestError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    QueueFullError,
)
from mercenary.files.errors import StorageUnavailableError
from mercenary.profiles import pdf, service
from mercenary.profiles.schemas import FREELANCER_FIELDS, PdfPending, ProfilePage, ProfileRead, ProfileWrite
from mercenary.skills.errors import UnknownSkillError
from mercenary.web.deps import Limit, ObjectId, SignedIn
from mercenary.web.fields import parse_fields, select_fields
from mercenary.web.openapi import raises
from mercenary.web.pagination import BY_RANK, CursorCodec, Pager

router = APIRouter(prefix="/api/v1", tags=["freelancers"])

LIST_SCOPE = "freelancers.list"
PAGE = "A page of freelancer profiles (fields as selected)."

Text = Annotated[str | None, Query(max_length=200, description="Words that must all match.")]
Skills = Annotated[
    str | None, Query(max_length=1_000, description="Comma-separated slugs or aliases; all must match.")
]
Cursor = Annotated[str | None, Query(max_length=512)]
Fields = Annotated[str | None, Query(max_length=512, description="e.g. user_id,name,headline")]


@router.get("/freelancers/{user_id}/profile", response_model=ProfileRead)
@raises(NotFoundError)
async def get_profile(caller: SignedIn, user_id: ObjectId) -> dict[str, Any]:
    """A freelancer's profile; 404 when the user has none (clients and admins never do)."""
    db = caller.state.db
    return await service.get_profile(db, user_id)


PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The profile as a PDF (A4), rendered from its current content.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    },
    202: {"description": "The PDF is being rendered; ask again after `Retry-After`.", "model": PdfPending},
}


@router.get(
    "/freelancers/{user_id}/profile.pdf", response_class=Response, responses=PDF_RESPONSES, status_code=200
)
@raises(NotFoundError, QueueFullError, StorageUnavailableError)
async def get_profile_pdf(caller: SignedIn, user_id: ObjectId) -> Response:
    """A freelancer's profile as a PDF, for anyone who may read the profile. Rendered by a worker
    and kept until the profile, its skills or its rating change: while a render is under way the
    answer is 202 with `Retry-After`."""
    state = caller.state
    found = await pdf.open_file(state.db, state.queue, state.blobs, user_id)
    if found is None:
        body = orjson.dumps({"status": "rendering", "retry_after": pdf.RETRY_AFTER_S})
        headers = {"Retry-After": str(pdf.RETRY_AFTER_S), "Cache-Control": "no-store"}
        return Response(body, status_code=202, media_type="application/json", headers=headers)
    rendered, chunks = found
    return StreamingResponse(
        chunks, media_type="application/pdf", headers=pdf.download_headers(rendered, user_id)
    )


@router.put("/freelancers/{user_id}/profile", response_model=ProfileRead)
@raises(PermissionDeniedError, NotFoundError, UnknownSkillError, ConflictError)
async def put_profile(user_id: ObjectId, body: ProfileWrite, caller: SignedIn) -> dict[str, Any]:
    """Create or replace the caller's own profile. Another user's id is a 404 (as if it did not
    exist); a caller who is not a freelancer gets 403."""
    db, principal = caller.state.db, caller.principal
    return await run_transaction(
        db, lambda conn: service.put_profile(conn, principal, user_id, body), what="a profile write"
    )


def _split(raw: str | None) -> list[str]:
    return [s.strip() for s in raw.split(",") if s.strip()] if raw else []


async def _page(
    db: Database,
    cursors: CursorCodec,
    q: str | None,
    skills: str | None,
    cursor: str | None,
    limit: int,
    fields: str | None,
) -> Response:
    selected = parse_fields(fields, FREELANCER_FIELDS)
    names = _split(skills)
    with_skills = selected is None or "skills" in selected
    if q is not None and q.strip():
        pager = Pager(cursors, f"freelancers.search:{' '.join(terms(q))}", BY_RANK)
        page = await service.search_profiles(
            db, text=q, page=pager.keyset(cursor, limit), skill_names=names, with_skills=with_skills
        )
    else:
        pager = Pager(cursors, LIST_SCOPE)
        page = await service.list_profiles(
            db, page=pager.keyset(cursor, limit), skill_names=names, with_skills=with_skills
        )
    # Rows carry no skills when the fields leave them out (they were not loaded).
    shaped = [
        select_fields(ProfileRead.model_validate({"skills": [], **r}).model_dump(mode="json"), selected)
        for r in page.items
    ]
    return pager.response(page, shaped)


@router.get("/freelancers", response_model=ProfilePage, response_description=PAGE)
@raises(UnknownSkillError, EmptySearchError, InvalidRequestError)
async def list_freelancers(
    caller: SignedIn,
    q: Text = None,
    skills: Skills = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    fields: Fields = None,
) -> Response:
    """Freelancers a page at a time: in user id order, or most relevant first when `q` is given.
    `skills=a,b` keeps profiles that have all of those skills."""
    db = caller.state.db
    cursors = caller.state.cursors
    return await _page(db, cursors, q, skills, cursor, limit, fields)


@router.get("/search/freelancers", response_model=ProfilePage, response_description=PAGE)
@raises(UnknownSkillError, EmptySearchError, InvalidRequestError, OverloadedError)
async def search_freelancers(
    caller: SignedIn,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words that must all match.")],
    skills: Skills = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    fields: Fields = None,
) -> Response:
    """Full-text search over freelancer headlines and bios (headline weighs more), most relevant
    first, optionally narrowed to profiles having all of `skills`."""
    db = caller.state.db
    cursors = caller.state.cursors
    terms(q)  # 422 when `q` has no words, rather than falling back to the plain list
    caller.state.overload.check()  # heavy: refused first when the instance is overloaded (RES-4)
    return await _page(db, cursors, q, skills, cursor, limit, fields)
