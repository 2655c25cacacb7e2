"""Review use cases. The caller owns the transaction.

Once a project is closed with an accepted proposal, each side reviews the other once: a client of the
project's organization reviews the hired freelancer, and the freelancer reviews the client who posted
the project. The reviewee's rating aggregate is upserted in the same transaction, so it always agrees
with the reviews. The project row is locked (``FOR UPDATE``) first, so two members of the
organization cannot both review for the client side at once.

Each review also enqueues ``reviews.refresh_rating`` (after commit): the reviewee's aggregate is
counted again from the reviews themselves, an exact and idempotent recount that repairs an
aggregate gone out of step (rows loaded in bulk, a review fixed by hand, an aggregate lost).
"""

from __future__ import annotations

from typing import Any

from mercenary.backends.cache import CacheSpec, CacheStore
from mercenary.backends.queue import JobQueue, JobSpec
from mercenary.db import Connection, Executor, IntegrityError, Row
from mercenary.db.keyset import Keyset, Slice
from mercenary.db.metadata import utcnow
from mercenary.projects.access import access_project
from mercenary.proposals import service as proposals
from mercenary.reviews import queries
from mercenary.reviews.errors import (
    AlreadyReviewedError,
    InvalidRevieweeError,
    NotAParticipantError,
    ProjectNotClosedError,
)
from mercenary.reviews.schemas import ReviewCreate
from mercenary.security.principal import Principal
from mercenary.users import service as users

# CACHE-2: a user's rating aggregate, read lazily and kept 30 minutes; a new review of the user
# invalidates it once committed.
RATING = CacheSpec("rating", ttl=1800, stale_for=3600, negative_ttl=0)
# A recount takes milliseconds; its lease (the longest run allowed) leaves ample room.
REFRESH_RATING = JobSpec("reviews.refresh_rating", priority="default", lease_s=60, max_retries=5)


async def post_review(
    conn: Connection, cache: CacheStore, queue: JobQueue, principal: Principal, body: ReviewCreate
) -> Row:
    """Review the other party of a closed project and update the reviewee's rating aggregate."""
    project = await access_project(conn, body.project_id, principal, lock="update")
    freelancer = await proposals.accepted_freelancer(conn, project["id"])
    if project["status"] != "closed" or freelancer is None:
        raise ProjectNotClosedError("Reviews open once the project is closed with an accepted proposal.")
    if principal.user_id == freelancer:
        reviewee = project["owner_id"]
    elif principal.tenant_id == project["tenant_id"] and principal.role == "client":
        reviewee = freelancer
    else:
        raise NotAParticipantError("Only the hiring clients and the hired freelancer review this project.")
    if body.reviewee_id != reviewee:
        raise InvalidRevieweeError(f"On this project you review user {reviewee}.")
    if await conn.fetch_one(queries.reviewed, project_id=project["id"], reviewee_id=reviewee):
        raise AlreadyReviewedError("This project's other party has already been reviewed from your side.")
    now = utcnow()
    try:
        row = await conn.fetch_one(
            queries.insert_review,
            project_id=project["id"],
            reviewer_id=principal.user_id,
            reviewee_id=reviewee,
            rating=body.rating,
            text=body.text,
            now=now,
        )
    except IntegrityError as exc:  # uq_reviews_project_id_reviewer_id
        raise AlreadyReviewedError("You have already reviewed this project.") from exc
    await conn.execute(queries.add_rating, user_id=reviewee, rating=body.rating, now=now)
    cache.invalidate_after_commit(conn, RATING, str(reviewee))
    await queue.enqueue(conn, REFRESH_RATING, user_id=reviewee)
    assert row is not None
    return row


async def refresh_rating(conn: Connection, user_id: int) -> bool:
    """Set ``user_id``'s rating aggregate to the count of their reviews; whether it changed.

    The aggregate row is locked first: a review committing meanwhile either waits for this
    transaction (and then adds itself to the exact count) or is already counted."""
    current = await conn.fetch_one(queries.lock_rating, user_id=user_id)
    exact = await conn.fetch_one(queries.recount_rating, user_id=user_id)
    assert exact is not None
    exact = {k: int(v) for k, v in exact.items()}
    if current is None and exact["count"] == 0:
        return False
    if current is not None and {k: int(current[k]) for k in exact} == exact:
        return False
    await conn.execute(queries.set_rating, user_id=user_id, now=utcnow(), **exact)
    return True


async def list_reviews(
    db: Executor, cache: CacheStore, principal: Principal, user_id: int, page: Keyset
) -> Slice:
    """A page of a user's reviews, newest first; 404 for a user ``principal`` may not see, as for an
    unknown one (``users.visible_user``: the reviews of another organization's client would
    otherwise show who they hired, and let ids be walked to find accounts)."""
    await users.visible_user(db, cache, principal, user_id)
    rows = await db.fetch_all(
        queries.by_reviewee, reviewee_id=user_id, after=page.id_below(), limit=page.fetch
    )
    return page.cut(rows, ("id",))


async def get_rating(db: Executor, cache: CacheStore, principal: Principal, user_id: int) -> dict[str, Any]:
    """A user's rating ``{count, mean, distribution}`` (cached); 404 for a user ``principal`` may not
    see, as for an unknown one (``users.visible_user``, as :func:`list_reviews`)."""
    await users.visible_user(db, cache, principal, user_id)

    async def load() -> dict[str, Any] | None:
        row = await db.fetch_one(queries.get_rating, user_id=user_id)
        if row is None:
            await users.get_user(db, user_id)
            row = {"count": 0, "total": 0, **{f"r{i}": 0 for i in range(1, 6)}}
        return _rating(row)

    rating = await cache.get(RATING, str(user_id), load)
    assert rating is not None
    return rating


async def stored_rating(db: Executor, user_id: int) -> dict[str, Any]:
    """A user's rating as stored now, uncached and with no caller to check (the PDF profile's
    content, which must change the moment the rating does)."""
    row = await db.fetch_one(queries.get_rating, user_id=user_id)
    return _rating(row or {"count": 0, "total": 0, **{f"r{i}": 0 for i in range(1, 6)}})


def _rating(row: Row) -> dict[str, Any]:
    count = int(row["count"])
    return {
        "count": count,
        "mean": round(row["total"] / count, 2) if count else None,
        "distribution": {str(i): int(row[f"r{i}"]) for i in range(1, 6)},
    }
