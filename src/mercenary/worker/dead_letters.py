"""The dead-letter store (JOB-3): a job that failed its last retry is written to
``job_dead_letters`` in the application database with its error, where ``mercenary jobs dead``
lists it and ``mercenary jobs requeue`` sends it again.

The database, not the broker, holds them: the same store for the embedded queue and Redis, and
it outlives Redis' memory limits and restarts.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware

from mercenary.backends.queue import outbox
from mercenary.backends.queue.client import message_of
from mercenary.db import Row
from mercenary.db.metadata import utcnow
from mercenary.state import AppState
from mercenary.worker.registry import specs

log = logging.getLogger("mercenary.jobs")

ERROR_CHARS = 4_000


class DeadLetters(Middleware):
    """Writes a message that failed for good (``message.failed``, set by Retries) to the store.

    Its "after" hook must run after Retries', which decides whether a failure is final: Dramatiq
    runs "after" hooks in reverse order, so it comes before Retries in the middleware list."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        if exception is None or not message.failed:
            return
        error = message.options.get("traceback") or f"{type(exception).__name__}: {exception}"
        params = {
            "message_id": message.message_id,
            "job": message.actor_name,
            "priority": message.queue_name.removesuffix(".DQ"),
            "kwargs": orjson.dumps(message.kwargs).decode(),
            "attempts": int(message.options.get("retries", 0)),
            "error": str(error)[-ERROR_CHARS:],
            "now": utcnow(),
        }
        loop = get_event_loop_thread()
        assert loop is not None
        loop.run_coroutine(self.state.db.execute(outbox.insert_dead, **params))
        log.error(
            "job %s %s is dead after %d attempts", params["job"], params["message_id"], params["attempts"]
        )


async def list_dead(state: AppState, *, after: int = 0, limit: int = 100) -> list[Row]:
    """Dead letters, oldest first, after id ``after``."""
    return await state.db.fetch_all(outbox.list_dead, after=after, limit=limit)


async def requeue(state: AppState, ids: list[int] | None, modules: tuple[str, ...] = ()) -> list[int]:
    """Send the dead letters ``ids`` (every one when None) to their queues again, with fresh
    retries, and remove them from the store; the ids requeued. An unknown id is skipped."""
    known = specs(modules)
    rows: list[Row] = []
    if ids is None:
        after = 0
        while batch := await list_dead(state, after=after, limit=500):
            rows.extend(batch)
            after = batch[-1]["id"]
    else:
        for id_ in ids:
            row = await state.db.fetch_one(outbox.get_dead, id=id_)
            if row is not None:
                rows.append(row)
    done = []
    for row in rows:
        spec = known.get(row["job"])
        if spec is None:
            log.error("dead letter %d: no handler for job %r; left in place", row["id"], row["job"])
            continue
        await state.queue.send(message_of(row, spec))
        await state.db.execute(outbox.delete_dead, id=row["id"])
        done.append(row["id"])
    return done
