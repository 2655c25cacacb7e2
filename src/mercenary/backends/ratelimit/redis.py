"""Shared counters in Redis (``redis://``), through ``limits``' async Redis storage on redis-py.

A hit is one round trip: ``limits`` increments and sets the expiry in one Lua script (``INCRBY``,
and ``EXPIRE`` when the counter is new), so counters never outlive their window even if a process
dies between the two. The client uses the redis-py already pinned for the cache (``limits``' own
default would be ``coredis``), with short timeouts: a Redis that hangs costs a request at most
``SOCKET_TIMEOUT_S`` before the limiter fails open and leaves the backend alone for a while.
"""

from __future__ import annotations

from limits.aio.storage import RedisStorage
from limits.aio.storage.redis.redispy import RedispyBridge

SOCKET_TIMEOUT_S = 0.25


class RedisRateLimitBackend:
    """Counters under ``<prefix>rl:`` on the Redis at ``url``."""

    def __init__(self, url: str, prefix: str) -> None:
        self._storage = RedisStorage(
            f"async+{url}",
            implementation="redispy",
            key_prefix=f"{prefix}rl",
            socket_timeout=SOCKET_TIMEOUT_S,
            socket_connect_timeout=SOCKET_TIMEOUT_S,
            max_connections=50,
            client_name="mercenary-ratelimit",
        )

    async def incr(self, key: str, expiry: int) -> int:
        return await self._storage.incr(key, expiry)

    async def ping(self) -> None:
        if not await self._storage.check():
            raise ConnectionError("Redis did not answer PING")

    async def clear(self, key: str) -> None:
        await self._storage.clear(key)

    async def close(self) -> None:
        bridge = self._storage.bridge
        assert isinstance(bridge, RedispyBridge)
        await bridge.storage.aclose()
