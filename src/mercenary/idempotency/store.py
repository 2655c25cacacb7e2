"""Claiming, completing, releasing and purging idempotency keys.

A keyed request first *claims* its key in a short transaction of its own (an INSERT that the unique
constraint on (scope, key) lets only one request win), committed at once, so a duplicate arriving
while the first is in flight sees the claim and is told so (409), in this process or any other.
The winner then does its write, and the response is stored in the *same* transaction as the write
(:meth:`IdempotencyKeys.complete`): the write and its key commit together or not at all, so an
acknowledged write always has its response stored, and a key never has a response for a write that
rolled back. A request that fails releases its claim (the client may retry with the same key);
a claim left in flight by a process that died is taken over after ``IDEMPOTENCY_LOCK_S``.

Expired keys are purged by ``mercenary purge-idempotency-keys`` (from cron, say) and also
opportunistically: a process that completes a key purges one batch of expired keys at most every
``PURGE_EVERY_S``, in the background, after its request's transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from mercenary.db import Connection, Database, Row, run_transaction
from mercenary.db.metadata import utcnow
from mercenary.errors import IdempotencyKeyInFlightError, IdempotencyKeyReusedError
from mercenary.idempotency import queries

log = logging.getLogger("mercenary.idempotency")

PURGE_EVERY_S = 600.0
PURGE_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class Stored:
    """The first response to a key: replayed as it was."""

    status: int
    body: bytes


class IdempotencyKeys:
    """The keys of one database, with the service's secret (fingerprints are HMACs, so a stored
    fingerprint of a body that holds a password cannot be attacked offline)."""

    def __init__(self, db: Database, secret: str, *, ttl_s: int, lock_s: int) -> None:
        self.db = db
        self._secret = hashlib.sha256(b"idempotency:" + secret.encode()).digest()
        self.ttl = timedelta(seconds=ttl_s)
        self.lock = timedelta(seconds=lock_s)
        self._next_purge = time.monotonic() + PURGE_EVERY_S
        self._purging: set[asyncio.Task[int]] = set()

    def fingerprint(self, method: str, path: str, body: bytes) -> str:
        """What makes two requests "the same request" for a key."""
        message = method.encode() + b" " + path.encode() + b"\n" + body
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    async def claim(self, scope: str, key: str, fingerprint: str) -> int | Stored:
        """The claim's id when this request may go ahead; the stored response when the key was
        completed by the same request. Raises :class:`IdempotencyKeyReusedError` (another request)
        or :class:`IdempotencyKeyInFlightError` (the same request, still in flight)."""
        now = utcnow()
        params = {"scope": scope, "key": key, "fingerprint": fingerprint, "now": now}

        async def unit(conn: Connection) -> int | Row | None:
            claimed = await conn.fetch_val(queries.claim, **params, expires_at=now + self.ttl)
            if claimed is None:
                claimed = await conn.fetch_val(
                    queries.take_over, **params, expires_at=now + self.ttl, stale=now - self.lock
                )
            if claimed is not None:
                return int(claimed)
            return await conn.fetch_one(queries.find, scope=scope, key=key)

        row = await run_transaction(self.db, unit, what="an idempotency claim")
        if isinstance(row, int):
            return row
        if row is None or row["status"] is None:  # in flight (or released a moment ago)
            if row is not None and not hmac.compare_digest(row["fingerprint"], fingerprint):
                raise IdempotencyKeyReusedError("This Idempotency-Key was sent with another request.")
            raise IdempotencyKeyInFlightError("A request with this Idempotency-Key is in progress.")
        if not hmac.compare_digest(row["fingerprint"], fingerprint):
            raise IdempotencyKeyReusedError("This Idempotency-Key was sent with another request.")
        return Stored(int(row["status"]), bytes(row["body"]))

    async def complete(self, conn: Connection, claim: int, status: int, body: bytes) -> None:
        """Store the response in the caller's transaction (the one that did the write)."""
        await conn.execute(queries.complete, id=claim, status=status, body=body)
        conn.after_commit(self._maybe_purge)

    async def release(self, claim: int) -> None:
        """Give the key up after a failed request (the client may retry with it)."""
        try:

            async def unit(conn: Connection) -> None:
                await conn.execute(queries.release, id=claim)

            await run_transaction(self.db, unit, what="an idempotency release")
        except Exception:  # the database failed too: the claim goes stale and is taken over later
            log.warning("could not release idempotency claim %s", claim, exc_info=True)

    async def purge(self, batch: int = PURGE_BATCH) -> int:
        """Delete expired keys, ``batch`` at most; how many went."""
        async with self.db.transaction() as conn:
            return await conn.execute(queries.purge, now=utcnow(), batch=batch)

    async def purge_all(self) -> int:
        """Delete every expired key, a batch per transaction; how many went."""
        total = 0
        while (deleted := await self.purge()) > 0:
            total += deleted
            if deleted < PURGE_BATCH:
                break
        return total

    async def _maybe_purge(self) -> None:
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + PURGE_EVERY_S
        task = asyncio.get_running_loop().create_task(self.purge())
        self._purging.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._purged)

    def _purged(self, task: asyncio.Task[int]) -> None:
        self._purging.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("idempotency purge failed: %r", task.exception())

    async def close(self) -> None:
        """Wait for a background purge still running."""
        if self._purging:
            await asyncio.gather(*self._purging, return_exceptions=True)
