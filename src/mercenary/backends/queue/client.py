"""The queue as the API (and the CLI) sees it: enqueue after commit, depth, backpressure.

It only builds and sends Dramatiq messages: no actor, no worker, no middleware. Broker calls are
blocking (Dramatiq's brokers are synchronous), so they run in a thread and never stall the event
loop when the queue is slow or down.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

import orjson

from mercenary.backends.queue import outbox
from mercenary.backends.queue.spec import PRIORITIES, JobSpec
from mercenary.db.metadata import utcnow
from mercenary.errors import QueueFullError
from mercenary.observability import tracing

if TYPE_CHECKING:
    from dramatiq import Message

    from mercenary.backends.queue.brokers import QueueBroker
    from mercenary.db import Connection, Database, Row
    from mercenary.settings import Settings

log = logging.getLogger("mercenary.jobs")

# A queue's depth is read at most once a second per process: backpressure needs the order of
# magnitude, not the exact count, and an enqueue must not cost a round trip to learn it.
DEPTH_TTL_S = 1.0
# What a refused caller is told to wait: about the time a priority's backlog takes to move.
RETRY_AFTER_S = {"high": 5, "default": 30, "low": 60}


def build_message(
    spec: JobSpec, kwargs: dict[str, Any], message_id: str, traceparent: str | None = None
) -> Message[Any]:
    """The Dramatiq message for one run of ``spec`` (the broker reads the lease from its options;
    the worker reads the trace the job belongs to, when there is one)."""
    from dramatiq.message import Message

    options: dict[str, Any] = {"lease_ms": spec.lease_ms}
    if traceparent is not None:
        options[tracing.TRACEPARENT] = traceparent
    return Message(
        queue_name=spec.priority,
        actor_name=spec.name,
        args=(),
        kwargs=kwargs,
        options=options,
        message_id=message_id,
    )


# How long the outbox rows of sent jobs wait to be deleted together (see JobQueue._flush_soon).
OUTBOX_FLUSH_S = 0.05


class JobQueue:
    """Sends jobs through the outbox and refuses them past ``max_depth`` per priority (JOB-5)."""

    def __init__(self, broker: QueueBroker, db: Database, *, max_depth: int) -> None:
        self.broker = broker
        self.db = db
        self.max_depth = max_depth
        self._depths: dict[str, tuple[float, int]] = {}
        self._sending: set[asyncio.Task[None]] = set()
        self._sent: list[int] = []  # outbox rows of jobs sent, deleted by the next flush
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    def open(cls, settings: Settings, db: Database) -> JobQueue:
        """The queue ``settings`` name (no connection is made until the first use)."""
        from mercenary.backends.queue.brokers import open_broker

        broker: Any = open_broker(settings)
        return cls(broker, db, max_depth=settings.QUEUE_MAX_DEPTH)

    async def enqueue(self, conn: Connection, spec: JobSpec, /, **kwargs: Any) -> None:
        """Run ``spec`` with ``kwargs`` once the transaction on ``conn`` commits.

        Raises ``QueueFullError`` (503) when the job's priority is over its depth limit, so the
        caller's transaction rolls back and nothing changes."""
        await self.ensure_capacity(spec.priority)
        message_id = str(uuid.uuid4())
        traceparent = tracing.traceparent()
        row_id = await conn.fetch_val(
            outbox.insert_outbox,
            message_id=message_id,
            job=spec.name,
            priority=spec.priority,
            kwargs=orjson.dumps(kwargs).decode(),
            now=utcnow(),
            traceparent=traceparent,
        )
        message = build_message(spec, kwargs, message_id, traceparent)

        async def send_after_commit() -> None:
            # In the background: the response does not wait for the queue's round trip and the
            # outbox DELETE (about 1 ms of wall time); if the process dies first, the relay sends.
            task = asyncio.create_task(self._send_and_forget(message, row_id))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

        conn.after_commit(send_after_commit)

    async def _send_and_forget(self, message: Message[Any], row_id: int) -> None:
        try:
            await asyncio.to_thread(self.broker.enqueue, message)
        except Exception as exc:
            log.warning(
                "job %s %s stays in the outbox (%r); a worker will send it",
                message.actor_name,
                message.message_id,
                exc,
            )
            return
        self._sent.append(row_id)
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        """Delete the outbox rows of the jobs sent in the last ``OUTBOX_FLUSH_S``, in one statement.

        On SQLite every statement that writes takes the one writer's lock: a DELETE per job made a
        bid three write transactions (the idempotency claim, the bid, the DELETE), and at a
        thousand requests a second writes queued for the lock. Batched, it is one DELETE for all the
        jobs of a flush interval. A row not yet deleted is only ever sent twice if the process dies
        in between (the relay sends rows older than ``OUTBOX_RELAY_AFTER_S``): a duplicate that
        idempotent handlers absorb, never a loss."""
        try:
            await asyncio.sleep(OUTBOX_FLUSH_S)
            await self._flush()
        finally:
            self._flusher = None
            if self._sent:  # sent while this flush ran
                self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush(self) -> None:
        ids, self._sent = self._sent, []
        if not ids:
            return
        try:
            await self.db.execute(outbox.delete_outbox_rows, ids=ids)
        except Exception as exc:  # the relay will send them again: duplicates, not losses
            log.warning("%d outbox row(s) not deleted (%r)", len(ids), exc)

    async def drain(self) -> None:
        """Wait for the sends of committed transactions still under way, and their outbox deletes."""
        while self._sending or self._flusher is not None:
            if self._sending:
                await asyncio.gather(*self._sending, return_exceptions=True)
            flusher = self._flusher
            if flusher is not None:  # at most OUTBOX_FLUSH_S away
                await asyncio.gather(flusher, return_exceptions=True)

    async def send(self, message: Message[Any]) -> None:
        """Put ``message`` on its queue now (the relay and requeue; requests use :meth:`enqueue`)."""
        await asyncio.to_thread(self.broker.enqueue, message)

    async def depth(self, priority: str) -> int:
        """Jobs of ``priority`` waiting, delayed or running (exact, one read)."""
        return await asyncio.to_thread(self.broker.depth, priority)

    async def depths(self) -> dict[str, int]:
        """The depth of every priority (``/ready``)."""
        return {priority: await self.depth(priority) for priority in PRIORITIES}

    async def ensure_capacity(self, priority: str) -> None:
        """Raise ``QueueFullError`` when ``priority``'s queue is over its depth limit."""
        now = time.monotonic()
        seen = self._depths.get(priority)
        if seen is None or now - seen[0] >= DEPTH_TTL_S:
            try:
                depth = await self.depth(priority)
            except Exception as exc:
                # The outbox holds jobs while the queue is down: do not refuse writes for that.
                log.warning("queue depth of %s unknown (%r)", priority, exc)
                depth = 0
            seen = self._depths[priority] = (now, depth)
        if seen[1] >= self.max_depth:
            raise QueueFullError(
                f"The {priority} job queue is full; retry later.", retry_after=RETRY_AFTER_S[priority]
            )

    async def ping(self) -> None:
        """Raise if the broker cannot be reached."""
        await asyncio.to_thread(self.broker.ping)

    async def close(self) -> None:
        """Finish the sends under way, then release the broker's connections."""
        await self.drain()
        self.broker.close()


def message_of(row: Row, spec: JobSpec) -> Message[Any]:
    """The message an outbox or dead-letter row stands for (same message id: a resend is a duplicate
    that idempotent handlers absorb, not a new job)."""
    return build_message(spec, orjson.loads(row["kwargs"]), row["message_id"], row.get("traceparent"))
