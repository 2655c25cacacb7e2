"""Outbound timeouts to Redis (RES-2: <= 1 s): a Redis that accepts connections but never answers
(a hung server, a black-holed network) costs a read about SOCKET_TIMEOUT_S, once, and the request is
served from the database; the cache then stays out of the way for a while instead of being asked
again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from mercenary.backends.cache import CacheSpec, CacheStore
from mercenary.backends.cache import store as store_module
from mercenary.backends.cache.backends import SOCKET_TIMEOUT_S

SPEC = CacheSpec("thing", ttl=60, jitter=0)


@pytest.fixture
async def silent_redis() -> AsyncIterator[str]:
    """A TCP server that accepts connections and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_a_silent_redis_costs_a_request_about_one_socket_timeout(
    silent_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert SOCKET_TIMEOUT_S <= 1.0
    # The store leaves a failed backend alone for a while; short here, so the reads below ask it.
    monkeypatch.setattr(store_module, "BYPASS_AFTER_ERROR_S", 0.05)
    started = time.perf_counter()
    cache = await CacheStore.open(silent_redis, secret="s" * 32, prefix="silent:")
    try:
        opened = time.perf_counter() - started

        async def load() -> str:
            return "from the database"

        reads = []
        for _ in range(2):
            await asyncio.sleep(0.1)  # past the bypass that follows a failure
            started = time.perf_counter()
            assert await cache.get(SPEC, "k", load) == "from the database"
            reads.append(time.perf_counter() - started)
        bypassed = time.perf_counter()
        assert await cache.get(SPEC, "k", load) == "from the database"
        bypassed = time.perf_counter() - bypassed
    finally:
        await cache.close()
    # Each read asked Redis and waited one timeout (never redis-py's ten retries); bounds leave room
    # for a busy machine.
    assert cache.stats("thing").errors >= 2
    assert opened < 3 * SOCKET_TIMEOUT_S
    assert all(SOCKET_TIMEOUT_S * 0.8 < read < 3 * SOCKET_TIMEOUT_S for read in reads), reads
    assert bypassed < SOCKET_TIMEOUT_S  # right after a failure the backend is not asked
