"""The outbox relay: sends the jobs whose enqueue failed after their transaction committed.

A request sends its jobs right after COMMIT and deletes their outbox rows; a row older than
``OUTBOX_RELAY_AFTER_S`` was not sent (the queue was down, the process died in between), and a
worker sends it now. Several workers may send the same row at once: the job then runs twice,
which idempotent handlers absorb (at-least-once, JOB-4).
"""

from __future__ import annotations

import asyncio
import logging

from mercenary.backends.queue import JobSpec, outbox
from mercenary.backends.queue.client import message_of
from mercenary.db.metadata import utcnow
from mercenary.state import AppState

log = logging.getLogger("mercenary.jobs")

BATCH = 200


async def relay_once(state: AppState, known: dict[str, JobSpec], *, after_s: float) -> int:
    """Send one batch of stale outbox rows; how many were sent."""
    rows = await state.db.fetch_all(
        outbox.stale_outbox, before=outbox.stale_before(utcnow(), after_s), limit=BATCH
    )
    sent: list[int] = []
    try:
        for row in rows:
            spec = known.get(row["job"])
            if spec is None:
                log.error("outbox row %d: no handler for job %r; left in place", row["id"], row["job"])
                continue
            await state.queue.send(message_of(row, spec))
            sent.append(row["id"])
    finally:  # the rows sent so far, even when a later send failed: one statement for the batch
        if sent:
            await state.db.execute(outbox.delete_outbox_rows, ids=sent)
    if sent:
        log.warning("relayed %d job(s) from the outbox", len(sent))
    return len(sent)


async def relay_forever(state: AppState, known: dict[str, JobSpec]) -> None:
    """Relay every ``OUTBOX_RELAY_INTERVAL_S`` until cancelled; failures wait for the next round."""
    settings = state.settings
    while True:
        try:
            await relay_once(state, known, after_s=settings.OUTBOX_RELAY_AFTER_S)
        except Exception as exc:
            log.warning("outbox relay failed (%r); retrying in %.0f s", exc, settings.OUTBOX_RELAY_INTERVAL_S)
        await asyncio.sleep(settings.OUTBOX_RELAY_INTERVAL_S)
