"""Review endpoints: write a review, read a user's reviews and rating."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from mercenary.db import Connection
from mercenary.errors import NotFoundError, QueueFullError
from mercenary.projects.errors import ProjectNotFoundError
from mercenary.reviews import service
from mercenary.reviews.errors import (
    AlreadyReviewedError,
    InvalidRevieweeError,
    NotAParticipantError,
    ProjectNotClosedError,
)
from mercenary.reviews.schemas import REVIEW_FIELDS, RatingRead, ReviewCreate, ReviewPage, ReviewRead
from mercenary.web.deps import Limit, ObjectId, SignedIn
from mercenary.web.fields import parse_fields, select_fields
from mercenary.web.idempotency import Idempotent, caller_scope, serialized
from mercenary.web.openapi import raises
from mercenary.web.pagination import Pager

router = APIRouter(prefix="/api/v1", tags=["reviews"])

SCOPE = "reviews.by_reviewee"


@router.post("/reviews", status_code=201, response_model=ReviewRead)
@raises(
    ProjectNotFoundError,
    NotAParticipantError,
    InvalidRevieweeError,
    ProjectNotClosedError,
    AlreadyReviewedError,
    QueueFullError,
)
async def post_review(body: ReviewCreate, caller: SignedIn, idem: Idempotent) -> Response:
    """Review the other party of a closed project (rating 1-5): the hiring organization's client
    reviews the hired freelancer, the freelancer reviews the client who posted it; once per side.
    Safe to retry with an `Idempotency-Key`."""
    state, principal = caller.state, caller.principal

    async def create(conn: Connection) -> bytes:
        review = await service.post_review(conn, state.cache, state.queue, principal, body)
        return serialized(ReviewRead, review)

    return await idem.run(state, caller_scope(principal), 201, create)


@router.get(
    "/users/{user_id}/reviews",
    response_model=ReviewPage,
    response_description="A page of reviews (fields as selected).",
)
@raises(NotFoundError)
async def list_reviews(
    caller: SignedIn,
    user_id: ObjectId,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    fields: Annotated[str | None, Query(max_length=512, description="e.g. id,rating")] = None,
) -> Response:
    """Reviews of a user the caller may see (as `GET /users/{user_id}`), newest first."""
    db = caller.state.db
    cursors = caller.state.cursors
    selected = parse_fields(fields, REVIEW_FIELDS)
    pager = Pager(cursors, f"{SCOPE}:{user_id}")
    page = await service.list_reviews(
        db, caller.state.cache, caller.principal, user_id, pager.keyset(cursor, limit)
    )
    return pager.response(
        page,
        [select_fields(ReviewRead.model_validate(r).model_dump(mode="json"), selected) for r in page.items],
    )


@router.get("/users/{user_id}/rating", response_model=RatingRead)
@raises(NotFoundError)
async def get_rating(caller: SignedIn, user_id: ObjectId) -> dict[str, Any]:
    """A user's rating: review count, mean (null without reviews) and the count of each star. Only for
    a user the caller may see (as `GET /users/{user_id}`)."""
    state = caller.state
    return await service.get_rating(state.db, state.cache, caller.principal, user_id)
