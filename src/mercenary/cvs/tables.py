"""CV tables: one CV per freelancer, a row per uploaded version, the skills a parse proposed, and
the organizations a CV is shared with."""

from typing import Literal

import sqlalchemy as sa

from mercenary.db.metadata import UTCDateTime, created_at_column, fk_column, id_column, metadata, one_of

VersionStatus = Literal["pending", "parsed", "failed"]

cvs = sa.Table(
    "cvs",
    metadata,
    id_column(),
    # One CV per freelancer; every upload adds a version to it.
    fk_column("owner_id", "users.id"),
    fk_column("tenant_id", "organizations.id"),
    created_at_column(),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("owner_id", name="uq_cvs_owner_id"),
)

cv_versions = sa.Table(
    "cv_versions",
    metadata,
    id_column(),
    fk_column("cv_id", "cvs.id"),
    sa.Column("number", sa.Integer(), nullable=False),
    # Where the file is in blob storage (a random key), and what it is (sniffed, not claimed).
    sa.Column("blob_key", sa.String(200), nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("pages", sa.Integer(), nullable=True),
    sa.Column("text", sa.Text(), nullable=True),
    # Why a parse failed: a stable code (timeout, memory_limit, too_many_pages, ...) and a sentence.
    sa.Column("failure_code", sa.String(32), nullable=True),
    sa.Column("failure_message", sa.String(500), nullable=True),
    created_at_column(),
    sa.Column("parsed_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("cv_id", "number", name="uq_cv_versions_cv_id_number"),
    sa.Index("ix_cv_versions_blob_key", "blob_key"),  # the orphan sweep asks which keys are used
    one_of("status", VersionStatus),
)

cv_skills = sa.Table(
    "cv_skills",
    metadata,
    fk_column("version_id", "cv_versions.id", primary_key=True),
    fk_column("skill_id", "skills.id", primary_key=True),
    # A deleted skill takes its proposals with it (ON DELETE CASCADE looks them up by skill).
    sa.Index("ix_cv_skills_skill_id", "skill_id"),
)

cv_shares = sa.Table(
    "cv_shares",
    metadata,
    fk_column("cv_id", "cvs.id", primary_key=True),
    # A client organization whose members may read the CV.
    fk_column("tenant_id", "organizations.id", primary_key=True),
    created_at_column(),
    sa.Index("ix_cv_shares_tenant_id", "tenant_id"),
)
