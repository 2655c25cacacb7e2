"""Review and rating-aggregate statements."""

import sqlalchemy as sa

# PostgreSQL's INSERT construct: its ON CONFLICT clause also compiles to SQLite's identical syntax.
from sqlalchemy.dialects.postgresql import insert as upsert

from mercenary.db import Query
from mercenary.reviews.tables import rating_aggregates as ra
from mercenary.reviews.tables import reviews as rv

bp = sa.bindparam

COLUMNS = (
    rv.c.id,
    rv.c.project_id,
    rv.c.reviewer_id,
    rv.c.reviewee_id,
    rv.c.rating,
    rv.c.text,
    rv.c.created_at,
)

insert_review = Query(
    "reviews.insert",
    sa.insert(rv)
    .values(
        project_id=bp("project_id"),
        reviewer_id=bp("reviewer_id"),
        reviewee_id=bp("reviewee_id"),
        rating=bp("rating"),
        text=bp("text"),
        created_at=bp("now"),
    )
    .returning(*COLUMNS),
)

# Served by the unique index (project_id, reviewer_id): a project has at most two reviews.
reviewed = Query(
    "reviews.reviewed",
    sa.select(rv.c.id).where(rv.c.project_id == bp("project_id"), rv.c.reviewee_id == bp("reviewee_id")),
)

# Newest first on (reviewee_id, id).
by_reviewee = Query(
    "reviews.by_reviewee",
    sa.select(*COLUMNS)
    .where(rv.c.reviewee_id == bp("reviewee_id"), rv.c.id < bp("after"))
    .order_by(rv.c.id.desc())
    .limit(bp("limit")),
)


def _star(i: int) -> sa.ColumnElement[int]:
    return sa.case((bp("rating") == i, 1), else_=0)


_first = upsert(ra).values(
    user_id=bp("user_id"),
    count=1,
    total=bp("rating"),
    **{f"r{i}": _star(i) for i in range(1, 6)},
    updated_at=bp("now"),
)
# One statement whether or not the user has been rated before; the row lock it takes orders
# concurrent reviews of the same user.
add_rating = Query(
    "rating_aggregates.add",
    _first.on_conflict_do_update(
        index_elements=[ra.c.user_id],
        set_={
            "count": ra.c.count + 1,
            "total": ra.c.total + _first.excluded.total,
            **{f"r{i}": ra.c[f"r{i}"] + _first.excluded[f"r{i}"] for i in range(1, 6)},
            "updated_at": _first.excluded.updated_at,
        },
    ),
)

get_rating = Query(
    "rating_aggregates.get",
    sa.select(ra.c.count, ra.c.total, *(ra.c[f"r{i}"] for i in range(1, 6))).where(
        ra.c.user_id == bp("user_id")
    ),
)

# The exact aggregate, counted from the reviews (the refresh_rating job).
recount_rating = Query(
    "reviews.recount",
    sa.select(
        sa.func.count().label("count"),
        sa.func.coalesce(sa.func.sum(rv.c.rating), 0).label("total"),
        *(
            sa.func.coalesce(sa.func.sum(sa.case((rv.c.rating == i, 1), else_=0)), 0).label(f"r{i}")
            for i in range(1, 6)
        ),
    ).where(rv.c.reviewee_id == bp("user_id")),
)

_exact = upsert(ra).values(
    user_id=bp("user_id"),
    count=bp("count"),
    total=bp("total"),
    **{f"r{i}": bp(f"r{i}") for i in range(1, 6)},
    updated_at=bp("now"),
)
set_rating = Query(
    "rating_aggregates.set",
    _exact.on_conflict_do_update(
        index_elements=[ra.c.user_id],
        set_={
            c: _exact.excluded[c] for c in ("count", "total", *(f"r{i}" for i in range(1, 6)), "updated_at")
        },
    ),
)

lock_rating = Query(
    "rating_aggregates.lock",
    sa.select(ra.c.count, ra.c.total, *(ra.c[f"r{i}"] for i in range(1, 6)))
    .where(ra.c.user_id == bp("user_id"))
    .with_for_update(),
)
