"""One contract suite over every cache backend: in-process and Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from mercenary.backends.cache import Cache, from_url
from tests.support.servers import RedisServer


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    prefix = f"test:{uuid.uuid4().hex}:"  # a key prefix per test keeps tests apart on one server
    if request.param == "memory":
        backend = from_url("memory://", prefix)
    else:
        server: RedisServer = request.getfixturevalue("redis_server")
        backend = from_url(server.url, prefix)
    yield backend
    await backend.close()


async def test_set_get_delete(cache: Cache) -> None:
    assert await cache.get("k") is None
    await cache.set("k", b"value", ttl=10)
    assert await cache.get("k") == b"value"
    await cache.delete("k")
    assert await cache.get("k") is None
    await cache.delete("never-there")


async def test_values_expire(cache: Cache) -> None:
    await cache.set("short", b"1", ttl=0.05)
    await cache.set("long", b"2", ttl=10)
    await asyncio.sleep(0.15)
    assert await cache.get("short") is None
    assert await cache.get("long") == b"2"


async def test_incr_counts_within_one_window(cache: Cache) -> None:
    assert [await cache.incr("c", ttl=0.2) for _ in range(3)] == [1, 2, 3]
    assert await cache.get("c") == b"3"
    await asyncio.sleep(0.3)
    assert await cache.incr("c", ttl=0.2) == 1


async def test_ping(cache: Cache) -> None:
    await cache.ping()


def test_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="unsupported cache URL"):
        from_url("memcached://x")


async def test_redis_that_is_down_raises() -> None:
    cache = from_url("redis://127.0.0.1:1/0")
    with pytest.raises(Exception, match=r"(?i)connect"):
        await cache.ping()
    await cache.close()
