"""The shared cache on Redis (redis-py's asyncio client with its connection pool)."""

from __future__ import annotations

import redis.asyncio as redis


class RedisCache:
    """Keys live in Redis under ``prefix``; every API process sees the same values."""

    def __init__(self, url: str, prefix: str = "mercenary:") -> None:
        self.prefix = prefix
        self._client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)

    async def get(self, key: str) -> bytes | None:
        value = await self._client.get(self.prefix + key)
        if value is None:
            return None
        return value if isinstance(value, bytes) else str(value).encode()

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        await self._client.set(self.prefix + key, value, px=max(1, int(ttl * 1000)))

    async def delete(self, key: str) -> None:
        await self._client.delete(self.prefix + key)

    async def incr(self, key: str, ttl: float) -> int:
        full = self.prefix + key
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(full)
            pipe.pexpire(full, max(1, int(ttl * 1000)), nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def ping(self) -> None:
        await self._client.ping()

    async def close(self) -> None:
        await self._client.aclose()
