"""Mail and PDF profiles: the notices already mailed, the rendered profile PDFs, and the state of
the breakers that live in workers (the mail breaker), for /ready (docs/mail-and-pdf.md).

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-28 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mercenary.db.metadata import UTCDateTime

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breaker_states",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("open_until", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_breaker_states")),
    )
    op.create_table(
        "proposal_notices",
        sa.Column("proposal_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('received', 'accepted')", name=op.f("ck_proposal_notices_kind")),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_notices_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "kind", name=op.f("pk_proposal_notices")),
    )
    op.create_table(
        "profile_pdfs",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("requested_version", sa.String(length=32), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.String(length=32), nullable=True),
        sa.Column("blob_key", sa.String(length=32), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("rendered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["freelancer_profiles.user_id"],
            name=op.f("fk_profile_pdfs_user_id_freelancer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_profile_pdfs")),
    )


def downgrade() -> None:
    op.drop_table("profile_pdfs")
    op.drop_table("proposal_notices")
    op.drop_table("breaker_states")
