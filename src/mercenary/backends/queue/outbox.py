"""The transactional outbox (JOB-1, JOB-4): a job is written in the transaction that asks for it,
sent to the queue once that transaction commits, and never lost if the send fails.

``JobQueue.enqueue(conn, spec, **kwargs)`` inserts a ``job_outbox`` row on ``conn`` and registers
an after-commit hook that sends the message and deletes the row. A rolled-back transaction leaves
neither. If the queue is down at commit time the row stays, and a worker's relay sends it later
(:func:`relay`); a crash between the send and the delete sends it twice, which idempotent
handlers absorb (at-least-once).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from mercenary.backends.queue.tables import job_dead_letters as dl
from mercenary.backends.queue.tables import job_outbox as ob
from mercenary.db import Query

bp = sa.bindparam
JOB_COLUMNS = (
    ob.c.id,
    ob.c.message_id,
    ob.c.job,
    ob.c.priority,
    ob.c.kwargs,
    ob.c.created_at,
    ob.c.traceparent,
)

insert_outbox = Query(
    "job_outbox.insert",
    sa.insert(ob)
    .values(
        message_id=bp("message_id"),
        job=bp("job"),
        priority=bp("priority"),
        kwargs=bp("kwargs"),
        created_at=bp("now"),
        traceparent=bp("traceparent"),
    )
    .returning(ob.c.id),
)
# The rows of jobs sent: a flush of the requests' sends (client.py) or a relay round (worker/relay.py).
delete_outbox_rows = Query(
    "job_outbox.delete_rows", sa.delete(ob).where(ob.c.id.in_(bp("ids", expanding=True)))
)
# Rows whose committing request did not send them (the queue was down, or the process died).
stale_outbox = Query(
    "job_outbox.stale",
    sa.select(*JOB_COLUMNS)
    .where(ob.c.created_at < bp("before"))
    .order_by(ob.c.created_at)
    .limit(bp("limit")),
)
count_outbox = Query("job_outbox.count", sa.select(sa.func.count()).select_from(ob))

DEAD_COLUMNS = (
    dl.c.id,
    dl.c.message_id,
    dl.c.job,
    dl.c.priority,
    dl.c.kwargs,
    dl.c.attempts,
    dl.c.error,
    dl.c.failed_at,
)
insert_dead = Query(
    "job_dead_letters.insert",
    sa.insert(dl).values(
        message_id=bp("message_id"),
        job=bp("job"),
        priority=bp("priority"),
        kwargs=bp("kwargs"),
        attempts=bp("attempts"),
        error=bp("error"),
        failed_at=bp("now"),
    ),
)
list_dead = Query(
    "job_dead_letters.list",
    sa.select(*DEAD_COLUMNS).where(dl.c.id > bp("after")).order_by(dl.c.id).limit(bp("limit")),
)
get_dead = Query("job_dead_letters.get", sa.select(*DEAD_COLUMNS).where(dl.c.id == bp("id")))
delete_dead = Query("job_dead_letters.delete", sa.delete(dl).where(dl.c.id == bp("id")))


def stale_before(now: Any, after_s: float) -> Any:
    """The creation time before which an outbox row is the relay's to send."""
    return now - timedelta(seconds=after_s)
