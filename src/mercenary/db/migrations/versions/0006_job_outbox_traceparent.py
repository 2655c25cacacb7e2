"""Jobs: the outbox keeps the W3C traceparent of the request that asked for a job (OBS-3), so a job
the relay sends late is still part of that request's trace (docs/tracing.md).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_outbox") as batch:
        batch.add_column(sa.Column("traceparent", sa.String(length=55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_outbox") as batch:
        batch.drop_column("traceparent")
