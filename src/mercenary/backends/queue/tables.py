"""The queue's tables in the application database.

``job_outbox`` holds a job from the transaction that asks for it until it is in the queue (the
transactional outbox); ``job_dead_letters`` holds the jobs that failed every retry, with their
error, until someone requeues them (``mercenary jobs dead`` / ``requeue``).
"""

import sqlalchemy as sa

from mercenary.db.metadata import UTCDateTime, created_at_column, id_column, metadata


def _job_columns() -> list[sa.Column[str]]:
    return [
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("job", sa.String(100), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        # The job's keyword arguments as JSON.
        sa.Column("kwargs", sa.Text(), nullable=False),
    ]


job_outbox = sa.Table(
    "job_outbox",
    metadata,
    id_column(),
    *_job_columns(),
    created_at_column(),
    # The W3C traceparent of the request that asked for the job (OBS-3): the relay sends it on, so
    # a job sent late is still a child of its request's trace. Null when tracing is off.
    sa.Column("traceparent", sa.String(55), nullable=True),
    # The relay reads the oldest rows first.
    sa.Index("ix_job_outbox_created_at", "created_at"),
)

job_dead_letters = sa.Table(
    "job_dead_letters",
    metadata,
    id_column(),
    *_job_columns(),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("error", sa.Text(), nullable=False),
    sa.Column("failed_at", UTCDateTime(), nullable=False),
)
