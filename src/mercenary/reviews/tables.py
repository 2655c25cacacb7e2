"""Review tables and the per-user rating aggregate, kept in step with reviews in one transaction."""

import sqlalchemy as sa

from mercenary.db.metadata import UTCDateTime, created_at_column, fk_column, id_column, metadata

reviews = sa.Table(
    "reviews",
    metadata,
    id_column(),
    fk_column("project_id", "projects.id"),
    fk_column("reviewer_id", "users.id"),
    fk_column("reviewee_id", "users.id"),
    sa.Column("rating", sa.SmallInteger(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    created_at_column(),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    # Each party reviews the other once per project.
    sa.UniqueConstraint("project_id", "reviewer_id", name="uq_reviews_project_id_reviewer_id"),
    sa.Index("ix_reviews_reviewee_id_id", "reviewee_id", "id"),
)

rating_aggregates = sa.Table(
    "rating_aggregates",
    metadata,
    fk_column("user_id", "users.id", primary_key=True),
    sa.Column("count", sa.Integer(), nullable=False),
    sa.Column("total", sa.Integer(), nullable=False),
    *(sa.Column(f"r{i}", sa.Integer(), nullable=False) for i in range(1, 6)),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
