"""Read-through caching of serialized values, failing open: a cache that errors is logged and
bypassed, never turned into an error for the client (CACHE-7)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from mercenary.backends.cache.base import Cache

log = logging.getLogger("mercenary.cache")


async def read_through(cache: Cache, key: str, ttl: float, load: Callable[[], Awaitable[bytes]]) -> bytes:
    """The cached bytes at ``key``, or ``load()``'s result, stored for ``ttl`` seconds."""
    try:
        found = await cache.get(key)
    except Exception:  # any backend failure: serve from the source of truth
        log.warning("cache get failed for %s; serving uncached", key, exc_info=True)
        return await load()
    if found is not None:
        return found
    value = await load()
    try:
        await cache.set(key, value, ttl)
    except Exception:
        log.warning("cache set failed for %s", key, exc_info=True)
    return value


async def invalidate(cache: Cache, key: str) -> None:
    """Drop ``key`` (after the write that made it stale has committed)."""
    try:
        await cache.delete(key)
    except Exception:
        log.warning("cache delete failed for %s; it expires with its TTL", key, exc_info=True)
