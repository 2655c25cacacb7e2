"""Jobs: the transactional outbox and the dead-letter store.

``job_outbox`` holds a job from the transaction that asks for it until it is on the queue;
``job_dead_letters`` holds the jobs that failed every retry, with their error (docs/jobs.md).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 03:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mercenary.db.metadata import UTCDateTime

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _job_columns() -> list[sa.Column[str]]:
    return [
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("job", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("kwargs", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "job_outbox",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        *_job_columns(),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_outbox")),
    )
    with op.batch_alter_table("job_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_job_outbox_created_at", ["created_at"], unique=False)
    op.create_table(
        "job_dead_letters",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        *_job_columns(),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_dead_letters")),
    )


def downgrade() -> None:
    op.drop_table("job_dead_letters")
    with op.batch_alter_table("job_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_job_outbox_created_at")
    op.drop_table("job_outbox")
