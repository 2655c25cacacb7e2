"""The cache store (CACHE-3..7): one contract suite over the in-process and the Redis backends, and
its failure modes against a real Redis that is stopped and started again."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from cashews.backends.memory import Memory
from cashews.exceptions import CacheBackendInteractionError

from mercenary.backends.cache import CacheSpec, CacheStore
from mercenary.backends.cache import store as store_module
from mercenary.db import DatabaseBusyError, is_transient
from tests.support.servers import RedisServer

SPEC = CacheSpec("thing", ttl=60, jitter=0)
OTHER = CacheSpec("other", ttl=60, jitter=0)


def transient(exc: BaseException) -> bool:
    return isinstance(exc, OSError)


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[CacheStore]:
    prefix = f"test{uuid.uuid4().hex[:12]}:"  # a key prefix per test keeps tests apart on one server
    url = "memory://" if request.param == "memory" else request.getfixturevalue("redis_server").url
    store = await CacheStore.open(url, secret="s" * 32, prefix=prefix, transient=transient)
    yield store
    await store.close()


class Loader:
    """Counts its calls; returns ``value`` (after ``delay`` seconds) or raises ``error``."""

    def __init__(self, value: Any = "v1", delay: float = 0.0) -> None:
        self.value = value
        self.delay = delay
        self.calls = 0
        self.error: BaseException | None = None

    async def __call__(self) -> Any:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.value


async def test_read_through_counts_hits_and_misses(cache: CacheStore) -> None:
    load = Loader({"id": 1, "tags": ["a"]})
    assert await cache.get(SPEC, "1", load) == {"id": 1, "tags": ["a"]}
    assert await cache.get(SPEC, "1", load) == {"id": 1, "tags": ["a"]}
    assert load.calls == 1
    assert (cache.stats("thing").hits, cache.stats("thing").misses) == (1, 1)
    assert cache.stats("thing").hit_ratio == 0.5


async def test_invalidate_drops_one_key_and_leaves_the_others(cache: CacheStore) -> None:
    one, two = Loader("one"), Loader("two")
    await cache.get(SPEC, "1", one)
    await cache.get(SPEC, "2", two)
    one.value = "one, changed"
    await cache.invalidate(SPEC, "1")
    assert await cache.get(SPEC, "1", one) == "one, changed"
    assert await cache.get(SPEC, "2", two) == "two"
    assert (one.calls, two.calls) == (2, 1)


async def test_a_family_and_a_dependency_invalidate_together(cache: CacheStore) -> None:
    pages = [Loader(f"page {i}") for i in range(3)]
    for i, load in enumerate(pages):
        await cache.get(SPEC, f"list|{i}", load, family="list", depends=((OTHER, "all"),))
    await cache.invalidate(SPEC, "list")  # every page of the list
    for i, load in enumerate(pages):
        await cache.get(SPEC, f"list|{i}", load, family="list", depends=((OTHER, "all"),))
    assert [p.calls for p in pages] == [2, 2, 2]
    await cache.invalidate(OTHER, "all")  # what the pages depend on
    await cache.get(SPEC, "list|0", pages[0], family="list", depends=((OTHER, "all"),))
    assert pages[0].calls == 3


async def test_entries_expire(cache: CacheStore) -> None:
    short = CacheSpec("short", ttl=0.1, jitter=0)
    load = Loader()
    await cache.get(short, "k", load)
    await asyncio.sleep(0.25)
    await cache.get(short, "k", load)
    assert load.calls == 2


async def test_absence_is_cached_a_few_seconds_at_most(cache: CacheStore) -> None:
    missing = Loader(None)
    assert await cache.get(SPEC, "404", missing) is None
    assert await cache.get(SPEC, "404", missing) is None
    assert missing.calls == 1
    uncached = CacheSpec("uncached", ttl=60, negative_ttl=0)
    await cache.get(uncached, "404", missing)
    await cache.get(uncached, "404", missing)
    assert missing.calls == 3
    with pytest.raises(ValueError, match="5 s"):
        CacheSpec("too-long", ttl=60, negative_ttl=30)


async def test_one_load_per_key_under_concurrent_misses(cache: CacheStore) -> None:
    # The stampede test (CACHE-4): 200 readers miss the same cold key at once.
    load = Loader({"rows": list(range(20))}, delay=0.05)
    results = await asyncio.gather(*(cache.get(SPEC, "hot", load) for _ in range(200)))
    assert load.calls == 1
    assert all(r == {"rows": list(range(20))} for r in results)
    # Readers of another key are not held up by it, and a failed load fails its waiters only once.
    failing = Loader(delay=0.05)
    failing.error = RuntimeError("boom")
    outcomes = await asyncio.gather(
        *(cache.get(SPEC, "bad", failing) for _ in range(20)), return_exceptions=True
    )
    assert failing.calls == 1
    assert all(isinstance(o, RuntimeError) for o in outcomes)


async def test_ttl_jitter_spreads_expiries(cache: CacheStore) -> None:
    jittered = CacheSpec("jittered", ttl=100)
    seen: list[float] = []
    original = cache.backend.set

    async def spy(key: str, value: Any, expire: float | None = None, exist: bool | None = None) -> bool:
        if key.startswith("jittered:1:"):
            seen.append(value[0])
        return bool(await original(key, value, expire=expire, exist=exist))

    cache.backend.set = spy  # type: ignore[method-assign]
    for i in range(30):
        await cache.get(jittered, str(i), Loader())
    spread = max(seen) - min(seen)  # fresh-until times of entries filled within milliseconds
    assert 10 < spread < 40, spread  # +-20 % of 100 s


async def test_stale_if_error_serves_the_last_value_when_the_database_fails(cache: CacheStore) -> None:
    spec = CacheSpec("soft", ttl=0.05, stale_for=30, jitter=0)
    load = Loader("last good")
    await cache.get(spec, "k", load)
    await asyncio.sleep(0.1)  # past freshness
    load.error = OSError("connection refused")
    assert await cache.get(spec, "k", load) == "last good"
    assert cache.stats("soft").stale == 1
    load.error = ValueError("a bug, not an outage")  # not transient: never hidden
    with pytest.raises(ValueError, match="a bug"):
        await cache.get(spec, "k", load)
    load.error = OSError("connection refused")
    await cache.invalidate(spec, "k")  # a value that was invalidated is never served stale
    with pytest.raises(OSError, match="refused"):
        await cache.get(spec, "k", load)


async def test_fail_open_when_redis_stops_and_recovery_when_it_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_module, "BYPASS_AFTER_ERROR_S", 0.2)
    server = RedisServer.start()
    cache = await CacheStore.open(server.url, secret="s" * 32, prefix="failopen:")
    try:
        load = Loader("from the database")
        await cache.get(SPEC, "k", load)
        assert await cache.get(SPEC, "k", load) == "from the database"
        assert load.calls == 1

        server.kill()  # mid-test: the connections break
        await asyncio.sleep(0.3)  # the invalidation listener notices, and drops the local copies
        for _ in range(50):  # every read still answers, from the database
            assert await cache.get(SPEC, "k", load) == "from the database"
        assert cache.stats("thing").errors >= 1
        load.value = "changed while Redis was down"
        await cache.invalidate(SPEC, "k")  # kept, retried once Redis answers

        server.restart()
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await cache.get(SPEC, "k", load) == "changed while Redis was down":
                break
        calls = load.calls
        assert await cache.get(SPEC, "k", load) == "changed while Redis was down"
        await asyncio.sleep(0.3)
        assert await cache.get(SPEC, "k", load) == "changed while Redis was down"
        assert load.calls <= calls + 1  # cached again
    finally:
        await cache.close()
        server.stop()


async def test_redis_down_at_start_is_not_an_error() -> None:
    cache = await CacheStore.open("redis://127.0.0.1:1/0", secret="s" * 32)
    try:
        assert await cache.get(SPEC, "k", Loader("db")) == "db"
        with pytest.raises(CacheBackendInteractionError):  # readiness tells the truth
            await cache.ping()
    finally:
        await cache.close()


def test_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="unsupported cache URL"):
        asyncio.run(CacheStore.open("memcached://x", secret="s"))


async def test_a_backend_that_fails_to_store_is_counted_and_bypassed(
    cache: CacheStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BYPASS_AFTER_ERROR_S", 0.05)
    original = cache.backend.set

    async def refuse_entries(
        key: str, value: Any, expire: float | None = None, exist: bool | None = None
    ) -> bool:
        if ":ver:" not in key:
            raise ConnectionError("full")
        return bool(await original(key, value, expire=expire, exist=exist))

    cache.backend.set = refuse_entries  # type: ignore[method-assign]
    load = Loader("from the database")
    assert await cache.get(SPEC, "k", load) == "from the database"
    assert cache.stats("thing").errors == 1
    assert await cache.get(SPEC, "k", load) == "from the database"  # bypassed for a moment
    assert load.calls == 2


async def test_a_backend_that_fails_at_start_is_bypassed(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(Memory):
        async def init(self) -> None:
            raise ConnectionError("no")

    monkeypatch.setattr(store_module, "open_backend", lambda url, prefix, secret: Broken())
    cache = await CacheStore.open("memory://", secret="s")
    assert await cache.get(SPEC, "k", Loader("db")) == "db"
    assert cache.stats("thing").misses == 1
    await cache.close()


def test_database_outages_are_told_from_bugs() -> None:
    assert is_transient(sqlite3.OperationalError("database is locked"))
    assert is_transient(DatabaseBusyError("busy"))
    assert is_transient(ConnectionRefusedError())
    assert is_transient(asyncpg.QueryCanceledError("canceling statement due to statement timeout"))
    assert is_transient(asyncpg.CannotConnectNowError("the database system is starting up"))
    assert not is_transient(ValueError("a bug"))
    assert not is_transient(asyncpg.UniqueViolationError("duplicate key"))


async def test_pages_of_an_invalidated_list_leave_the_process_at_once(cache: CacheStore) -> None:
    local = cache.backend if isinstance(cache.backend, Memory) else cache.backend._local_cache  # type: ignore[attr-defined]
    for i in range(3):
        await cache.get(SPEC, f"list|{i}", Loader(f"page {i}"), family="list")
    old = [k for k in local.store if k.startswith("thing:1:list|")]
    assert len(old) == 3
    await cache.invalidate(SPEC, "list")
    await cache.get(SPEC, "list|0", Loader("page 0, new"), family="list")
    assert not any(k in local.store for k in old)  # the old token's pages are gone from memory
    assert [k for k in local.store if k.startswith("thing:1:list|")] != []


async def test_another_process_reads_what_an_invalidation_wrote(redis_server: RedisServer) -> None:
    """The version tokens an invalidation writes (several keys in one command) are signed like any
    value: a second store on the same Redis reads them and caches again, with no error (a bad
    signature would be counted as an error and silently served from the database)."""
    prefix = f"test{uuid.uuid4().hex[:12]}:"
    writer = await CacheStore.open(redis_server.url, secret="s" * 32, prefix=prefix)
    reader = await CacheStore.open(redis_server.url, secret="s" * 32, prefix=prefix)
    try:
        await writer.invalidate_many([(SPEC, "a"), (OTHER, "b")])
        load = Loader("v1")
        for _ in range(3):
            assert await reader.get(SPEC, "k", load, family="a", depends=((OTHER, "b"),)) == "v1"
        assert load.calls == 1
        assert reader.stats("thing").errors == writer.stats("thing").errors == 0
        assert reader.stats("thing").hits == 2
    finally:
        await writer.close()
        await reader.close()
