"""The in-process cache: a bounded LRU with per-key expiry (cachetools' TLRUCache)."""

from __future__ import annotations

import time

from cachetools import TLRUCache

MAX_ITEMS = 50_000


def _expires_at(_key: str, value: tuple[bytes, float], _now: float) -> float:
    # Values carry their absolute expiry, so re-inserting a counter keeps its window.
    return value[1]


class MemoryCache:
    """One process's cache; what it holds is lost on restart and not shared between processes."""

    def __init__(self, url: str = "memory://", prefix: str = "mercenary:") -> None:
        self.prefix = prefix
        self._data: TLRUCache[str, tuple[bytes, float]] = TLRUCache(
            MAX_ITEMS, ttu=_expires_at, timer=time.monotonic
        )

    async def get(self, key: str) -> bytes | None:
        found = self._data.get(self.prefix + key)
        return None if found is None else found[0]

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        self._data[self.prefix + key] = (value, time.monotonic() + ttl)

    async def delete(self, key: str) -> None:
        self._data.pop(self.prefix + key, None)

    async def incr(self, key: str, ttl: float) -> int:
        full = self.prefix + key
        found = self._data.get(full)
        count = 1 if found is None else int(found[0]) + 1
        self._data[full] = (str(count).encode(), time.monotonic() + ttl if found is None else found[1])
        return count

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._data.clear()
