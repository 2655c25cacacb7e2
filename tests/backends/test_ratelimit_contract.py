"""The rate-limit backends (RES-1): one contract suite over the in-process counters and Redis, then
the limiter over each, and its failing open against a real Redis that is stopped and started."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from mercenary.backends.ratelimit import RateLimiter, Rule
from mercenary.backends.ratelimit import limiter as limiter_module
from tests.support.servers import RedisServer


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    prefix = f"test{uuid.uuid4().hex[:12]}:"  # a key prefix per test keeps tests apart on one server
    url = "memory://" if request.param == "memory" else request.getfixturevalue("redis_server").url
    opened = RateLimiter.open(url, prefix)
    assert opened.backend_name == request.param
    yield opened
    await opened.close()


async def test_incr_counts_per_key(limiter: RateLimiter) -> None:
    backend = limiter.backend
    assert [await backend.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert await backend.incr("b", 60) == 1
    await backend.clear("a")
    assert await backend.incr("a", 60) == 1
    await backend.ping()


async def test_a_counter_expires_after_its_first_hit(limiter: RateLimiter) -> None:
    backend = limiter.backend
    assert await backend.incr("short", 1) == 1
    assert await backend.incr("short", 1) == 2  # later hits do not extend the expiry
    await asyncio.sleep(1.3)
    assert await backend.incr("short", 1) == 1


async def test_the_limiter_allows_the_limit_then_refuses(limiter: RateLimiter) -> None:
    rule = Rule("test", limit=3, period=3_600)
    verdicts = [await limiter.hit(rule, "ip:1.2.3.4") for _ in range(5)]
    assert all(v is not None for v in verdicts)
    assert [v.allowed for v in verdicts if v] == [True, True, True, False, False]
    assert [v.remaining for v in verdicts if v] == [2, 1, 0, 0, 0]
    first = verdicts[0]
    assert first is not None and first.limit == 3
    # Windows are aligned to the clock: the reset is the time left in the current hour.
    expected = 3_600 - int(time.time()) % 3_600
    assert abs(first.reset_s - expected) <= 2
    assert dict(first.headers()) == {
        b"ratelimit-limit": b"3",
        b"ratelimit-remaining": b"2",
        b"ratelimit-reset": str(first.reset_s).encode(),
    }
    other = await limiter.hit(rule, "ip:5.6.7.8")  # another client has its own counter
    assert other is not None and other.allowed and other.remaining == 2
    assert (limiter.counters.checked, limiter.counters.limited, limiter.counters.errors) == (6, 2, 0)


async def test_a_new_window_starts_a_new_count(limiter: RateLimiter) -> None:
    rule = Rule("tick", limit=1, period=1)
    while time.time() % 1 > 0.5:  # start early in a second, so both hits share its window
        await asyncio.sleep(0.05)
    first, second = await limiter.hit(rule, "u"), await limiter.hit(rule, "u")
    assert first is not None and second is not None and (first.allowed, second.allowed) == (True, False)
    await asyncio.sleep(1.0)
    third = await limiter.hit(rule, "u")
    assert third is not None and third.allowed


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="memcached"):
        RateLimiter.open("memcached://localhost", "p:")


async def test_fail_open_when_redis_stops_and_counting_again_when_it_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limiter_module, "BYPASS_AFTER_ERROR_S", 0.2)
    server = RedisServer.start()
    limiter = RateLimiter.open(server.url, "failopen:")
    rule = Rule("test", limit=2, period=3_600)
    try:
        assert (await limiter.hit(rule, "a")) is not None
        server.kill()
        started = time.monotonic()
        for _ in range(20):  # every hit is let through, uncounted; the backend is left alone a while
            assert await limiter.hit(rule, "a") is None
        assert time.monotonic() - started < 1.0  # no timeout per request
        assert limiter.counters.errors == 1 and limiter.counters.failed_open == 20
        with pytest.raises(ConnectionError):
            await limiter.ping()

        server.restart()
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await limiter.hit(rule, "b") is not None:
                break
        verdict = await limiter.hit(rule, "b")
        assert verdict is not None and verdict.remaining == 0  # counting again: b's second hit of 2
    finally:
        await limiter.close()
        server.stop()


async def test_the_memory_backend_sweeps_expired_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    from mercenary.backends.ratelimit import memory

    monkeypatch.setattr(memory, "SWEEP_S", 0.0)
    backend = memory.MemoryRateLimitBackend()
    await backend.incr("gone", 1)
    await asyncio.sleep(1.1)
    await backend.incr("kept", 60)
    assert list(backend._counters) == ["kept"]  # the expired counter is no longer held
