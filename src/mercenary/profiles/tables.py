"""Freelancer profile tables. Search columns (PostgreSQL tsvector, SQLite FTS5) are created by the
migrations per dialect and are not declared here."""

from typing import Literal

import sqlalchemy as sa

from mercenary.db.metadata import UTCDateTime, fk_column, metadata, one_of

Availability = Literal["available", "busy", "unavailable"]

freelancer_profiles = sa.Table(
    "freelancer_profiles",
    metadata,
    fk_column("user_id", "users.id", primary_key=True),
    fk_column("tenant_id", "organizations.id"),
    sa.Column("headline", sa.String(200), nullable=False),
    sa.Column("bio", sa.Text(), nullable=False),
    # Whole currency units per hour.
    sa.Column("hourly_rate", sa.Integer(), nullable=False),
    sa.Column("availability", sa.String(16), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("hourly_rate >= 0", name="hourly_rate"),
    one_of("availability", Availability),
)

profile_skills = sa.Table(
    "profile_skills",
    metadata,
    fk_column("user_id", "freelancer_profiles.user_id", primary_key=True),
    fk_column("skill_id", "skills.id", primary_key=True),
    # Freelancers having a skill (skill filter on freelancer search).
    sa.Index("ix_profile_skills_skill_id_user_id", "skill_id", "user_id"),
)

# The rendered PDF of a profile (DOM-9), cached until what it shows changes: ``version`` is a digest
# of the content rendered (profile, skills, rating, template), ``requested_version`` the one a
# reader last asked for (a render is queued for it; readers meanwhile get 202).
profile_pdfs = sa.Table(
    "profile_pdfs",
    metadata,
    fk_column("user_id", "freelancer_profiles.user_id", primary_key=True),
    sa.Column("requested_version", sa.String(32), nullable=True),
    sa.Column("requested_at", UTCDateTime(), nullable=True),
    sa.Column("version", sa.String(32), nullable=True),
    # The rendered file, in blob storage (BLOB_URL), and its size in bytes.
    sa.Column("blob_key", sa.String(32), nullable=True),
    sa.Column("size", sa.Integer(), nullable=True),
    sa.Column("rendered_at", UTCDateTime(), nullable=True),
    sa.Index("ix_profile_pdfs_blob_key", "blob_key"),  # the orphan sweep asks which keys are used
)
