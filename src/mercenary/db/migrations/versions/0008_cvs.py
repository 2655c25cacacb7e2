"""CVs (DOM-4): a CV per freelancer, its uploaded versions with their parse results, the skills a
parse proposed, and the organizations a CV is shared with (docs/cvs.md).

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-28 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mercenary.db.metadata import UTCDateTime

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{ref_table}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "cvs",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("cvs", "owner_id", "users.id"),
        _fk("cvs", "tenant_id", "organizations.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cvs")),
        sa.UniqueConstraint("owner_id", name="uq_cvs_owner_id"),
    )
    op.create_table(
        "cv_versions",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        sa.Column("cv_id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("failure_code", sa.String(length=32), nullable=True),
        sa.Column("failure_message", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("parsed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'parsed', 'failed')", name=op.f("ck_cv_versions_status")),
        _fk("cv_versions", "cv_id", "cvs.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cv_versions")),
        sa.UniqueConstraint("cv_id", "number", name="uq_cv_versions_cv_id_number"),
    )
    op.create_table(
        "cv_skills",
        sa.Column("version_id", ID, nullable=False),
        sa.Column("skill_id", ID, nullable=False),
        _fk("cv_skills", "version_id", "cv_versions.id"),
        _fk("cv_skills", "skill_id", "skills.id"),
        sa.PrimaryKeyConstraint("version_id", "skill_id", name=op.f("pk_cv_skills")),
    )
    with op.batch_alter_table("cv_skills", schema=None) as batch_op:
        batch_op.create_index("ix_cv_skills_skill_id", ["skill_id"], unique=False)
    op.create_table(
        "cv_shares",
        sa.Column("cv_id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("cv_shares", "cv_id", "cvs.id"),
        _fk("cv_shares", "tenant_id", "organizations.id"),
        sa.PrimaryKeyConstraint("cv_id", "tenant_id", name=op.f("pk_cv_shares")),
    )
    with op.batch_alter_table("cv_shares", schema=None) as batch_op:
        batch_op.create_index("ix_cv_shares_tenant_id", ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cv_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_cv_shares_tenant_id")
    op.drop_table("cv_shares")
    with op.batch_alter_table("cv_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_cv_skills_skill_id")
    op.drop_table("cv_skills")
    op.drop_table("cv_versions")
    op.drop_table("cvs")
