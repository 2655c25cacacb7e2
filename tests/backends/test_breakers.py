"""Circuit breakers around Redis (RES-3, backends/breaker.py): closed, open after a failure,
half-open after ``open_s`` with one probe, closed again when the probe succeeds. Driven by a real
redis-server killed and restarted mid-test; the states reach ``/ready`` and ``breaker_state``."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from prometheus_client import REGISTRY

from mercenary.app import create_app
from mercenary.backends.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from mercenary.backends.cache import CacheSpec, CacheStore
from mercenary.backends.cache import store as store_module
from mercenary.backends.ratelimit import limiter as limiter_module
from mercenary.backends.ratelimit.limiter import RateLimiter, Rule
from tests.conftest import make_settings
from tests.support.servers import RedisServer

SPEC = CacheSpec("thing", ttl=60, jitter=0)


def test_the_states_in_order() -> None:
    breaker = CircuitBreaker("x", open_s=0.05)
    assert breaker.allow() and breaker.level() == CLOSED and breaker.state_name == "closed"
    breaker.failure()
    assert not breaker.allow() and breaker.level() == OPEN and breaker.opened == 1
    time.sleep(0.06)
    assert breaker.level() == HALF_OPEN  # due for its probe
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one probe at a time
    assert breaker.state_name == "half_open"
    breaker.failure()  # the probe failed: open again
    assert breaker.state_name == "open" and breaker.opened == 2
    time.sleep(0.06)
    assert breaker.allow()
    breaker.success()
    assert breaker.state_name == "closed" and breaker.allow() and breaker.allow()


def test_a_lost_probe_is_replaced() -> None:
    breaker = CircuitBreaker("x", open_s=0.05)
    breaker.failure()
    time.sleep(0.06)
    assert breaker.allow()  # a probe whose caller was cancelled never reports
    time.sleep(0.06)
    assert breaker.allow()  # another gets its turn


async def test_the_cache_breaker_opens_probes_and_closes_with_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "BYPASS_AFTER_ERROR_S", 0.2)
    server = RedisServer.start()
    cache = await CacheStore.open(server.url, secret="s" * 32, prefix="breaker:")

    async def load() -> str:
        return "from the database"

    try:
        await cache.get(SPEC, "k", load)
        assert cache.breaker.state_name == "closed"
        server.kill()
        await asyncio.sleep(0.3)
        assert await cache.get(SPEC, "k", load) == "from the database"  # fail open
        assert cache.breaker.state_name == "open"
        errors = cache.stats("thing").errors
        for _ in range(20):  # open: no call reaches the backend, so no new error
            assert await cache.get(SPEC, "k", load) == "from the database"
        assert cache.stats("thing").errors == errors
        server.restart()
        for _ in range(100):
            await asyncio.sleep(0.05)
            await cache.get(SPEC, "k", load)
            if cache.breaker.state_name == "closed":
                break
        assert cache.breaker.state_name == "closed"
    finally:
        await cache.close()
        server.stop()


async def test_the_limiter_breaker_fails_open_and_closes_with_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limiter_module, "BYPASS_AFTER_ERROR_S", 0.2)
    server = RedisServer.start()
    limiter = RateLimiter.open(server.url, "breaker:")
    rule = Rule("test", limit=100, period=3_600)
    try:
        assert await limiter.hit(rule, "a") is not None
        server.kill()
        for n in range(50):  # a new key goes to Redis at once: the first fails and opens the breaker
            assert await limiter.hit(rule, f"new{n}") is None
        assert limiter.breaker.state_name == "open" and limiter.counters.errors == 1
        server.restart()
        for n in range(100):
            await asyncio.sleep(0.05)
            if await limiter.hit(rule, f"back{n}") is not None:
                break
        assert limiter.breaker.state_name == "closed"
    finally:
        await limiter.close()
        server.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_ready_and_metrics_show_an_open_breaker(database_url: str) -> None:
    settings = make_settings(database_url, CACHE_URL="redis://127.0.0.1:1/0")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

            async def load() -> str:
                return "from the database"

            # Redis is not there: the first read through the cache fails and opens its breaker.
            assert await app.state.mercenary.cache.get(SPEC, "k", load) == "from the database"
            ready = (await client.get("/ready")).json()
            assert ready["breakers"]["cache"]["state"] == "open"
            assert ready["breakers"]["rate_limit"]["state"] == "closed"
            app.state.metrics.publish()
            assert REGISTRY.get_sample_value("breaker_state", {"backend": "cache"}) == 2
            assert REGISTRY.get_sample_value("breaker_state", {"backend": "rate_limit"}) == 0
