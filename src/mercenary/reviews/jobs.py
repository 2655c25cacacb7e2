"""Review jobs (run by the worker only)."""

from __future__ import annotations

from mercenary.db import Connection, run_transaction
from mercenary.reviews import service
from mercenary.state import AppState
from mercenary.worker.registry import job


@job(service.REFRESH_RATING)
async def refresh_rating(state: AppState, user_id: int) -> None:
    """Recount ``user_id``'s rating aggregate from the reviews; drop the cached rating if it changed.
    Idempotent: a second run finds the count exact and changes nothing."""

    async def unit(conn: Connection) -> None:
        if await service.refresh_rating(conn, user_id):
            state.cache.invalidate_after_commit(conn, service.RATING, str(user_id))

    await run_transaction(state.db, unit, what="a rating refresh")
