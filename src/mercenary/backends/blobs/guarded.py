"""A blob store behind a circuit breaker (RES-3), failing closed.

While the breaker is open every call raises :class:`BlobUnavailableError` at once, without touching
the storage: an upload is refused (503 ``storage_unavailable``, nothing accepted that cannot be
stored) and a download too, instead of each request waiting on a storage that stopped answering.
Only the storage's own failures open it; a put past its cap, a missing key or a client that went
away mid-upload are the caller's business. ``docs/resilience.md`` has the table of every breaker.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from mercenary.backends.blobs.base import BlobStore, BlobUnavailableError, StoredBlob
from mercenary.backends.breaker import CLOSED, CircuitBreaker


class GuardedBlobStore:
    """``store``'s calls, through ``breaker`` (named ``blobs`` on /ready and in ``breaker_state``)."""

    def __init__(self, store: BlobStore, breaker: CircuitBreaker | None = None) -> None:
        self.store = store
        self.name = store.name
        self.breaker = breaker or CircuitBreaker("blobs")

    def _allow(self) -> None:
        if self.breaker.state != CLOSED and not self.breaker.allow():
            raise BlobUnavailableError("blob storage is failing: its circuit breaker is open")

    def _answered(self) -> None:
        if self.breaker.state != CLOSED:
            self.breaker.success()

    async def put(self, chunks: AsyncIterable[bytes], *, max_bytes: int) -> StoredBlob:
        self._allow()
        try:
            blob = await self.store.put(chunks, max_bytes=max_bytes)
        except BlobUnavailableError:
            self.breaker.failure()
            raise
        self._answered()
        return blob

    async def open(self, key: str) -> AsyncIterator[bytes]:
        self._allow()
        try:
            chunks = await self.store.open(key)
        except BlobUnavailableError:
            self.breaker.failure()
            raise
        self._answered()
        return self._watched(chunks)

    async def _watched(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        try:
            async for chunk in chunks:
                yield chunk
        except BlobUnavailableError:
            self.breaker.failure()
            raise
        finally:
            # A reader that stops early (the client went away) closes this stream: close the
            # store's too, so its file or connection is released now rather than at collection.
            close = getattr(chunks, "aclose", None)
            if close is not None:
                await close()

    async def delete(self, key: str) -> None:
        self._allow()
        try:
            await self.store.delete(key)
        except BlobUnavailableError:
            self.breaker.failure()
            raise
        self._answered()

    def iter_keys(self, *, older_than_s: float = 0.0) -> AsyncIterator[str]:
        return self.store.iter_keys(older_than_s=older_than_s)

    async def ping(self) -> None:
        """The storage's own answer (readiness reports it beside the breaker's state)."""
        await self.store.ping()

    async def close(self) -> None:
        await self.store.close()
