"""The cache contract and the URL-scheme mapping (imports are lazy: the API only loads what it uses)."""

from __future__ import annotations

import importlib
from typing import Protocol


class Cache(Protocol):
    """A byte-valued key/value store with per-key TTLs. Keys are namespaced by ``prefix``."""

    async def get(self, key: str) -> bytes | None:
        """The value, or None when missing or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value`` for ``ttl`` seconds."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        ...

    async def incr(self, key: str, ttl: float) -> int:
        """Add one to the counter at ``key`` (created at 1 with ``ttl``) and return it."""
        ...

    async def ping(self) -> None:
        """Raise if the backend cannot answer."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


SCHEMES = {
    "memory": "mercenary.backends.cache.memory:MemoryCache",
    "redis": "mercenary.backends.cache.redis:RedisCache",
    "rediss": "mercenary.backends.cache.redis:RedisCache",
}


def from_url(url: str, prefix: str = "mercenary:") -> Cache:
    """The cache backend for ``url`` (``memory://`` or ``redis://host:port/db``)."""
    scheme = url.split(":", 1)[0]
    if scheme not in SCHEMES:
        raise ValueError(f"unsupported cache URL scheme {scheme!r}; use memory:// or redis://")
    module_name, _, class_name = SCHEMES[scheme].partition(":")
    cache: Cache = getattr(importlib.import_module(module_name), class_name)(url, prefix)
    return cache
