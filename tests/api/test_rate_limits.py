"""Rate limits over HTTP (RES-1): per client IP, per user, per account on the sensitive endpoints;
429 problems with Retry-After; RateLimit-* headers; trusted proxies; exemptions; failing open.

On PostgreSQL the counters live in the test session's Redis (as deployed); on SQLite in process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from ipaddress import ip_network
from typing import Any

import httpx
import pytest

from mercenary.app import create_app
from mercenary.settings import Settings
from tests.api.helpers import PASSWORD, assert_problem, bearer, signup
from tests.support.servers import RedisServer

ME = "/api/v1/users/me"
LOGIN = "/api/v1/auth/login"
Clients = Callable[..., Any]


@pytest.fixture
def limited(request: pytest.FixtureRequest, settings: Settings) -> Callable[..., Any]:
    """Opens the app with rate-limit settings ``overrides``; ``client(ip)`` calls it from ``ip``."""
    base: dict[str, Any] = {}
    if settings.DATABASE_URL.startswith("postgresql"):
        redis: RedisServer = request.getfixturevalue("redis_server")
        base["RATE_LIMIT_URL"] = redis.url

    @asynccontextmanager
    async def open_app(**overrides: Any) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
        app = create_app(settings.model_copy(update={**base, **overrides}))
        async with app.router.lifespan_context(app):

            def client(ip: str = "203.0.113.5") -> httpx.AsyncClient:
                transport = httpx.ASGITransport(app=app, client=(ip, 40000))
                return httpx.AsyncClient(transport=transport, base_url="http://testserver")

            yield client

    return open_app


def limits(response: httpx.Response) -> tuple[str, str] | None:
    if "ratelimit-limit" not in response.headers:
        return None
    return response.headers["ratelimit-limit"], response.headers["ratelimit-remaining"]


async def test_anonymous_callers_are_limited_per_ip(limited: Clients) -> None:
    async with (
        limited(RATE_LIMIT_ANONYMOUS="3/hour") as client,
        client("203.0.113.5") as c,
        client("203.0.113.6") as other,
    ):
        answers = [await c.get(ME) for _ in range(3)]
        assert [r.status_code for r in answers] == [401, 401, 401]
        assert [limits(r) for r in answers] == [("3", "2"), ("3", "1"), ("3", "0")]
        refused = await c.get(ME)
        body = assert_problem(refused, 429, "rate_limited")
        assert "Retry-After" in body["detail"]
        reset = int(refused.headers["ratelimit-reset"])
        assert 0 < reset <= 3_600 and refused.headers["retry-after"] == str(reset)
        assert limits(refused) == ("3", "0")
        assert (await other.get(ME)).status_code == 401  # another address counts apart
        for _ in range(5):  # health checks are never limited nor counted
            health = await c.get("/health")
            assert health.status_code == 200 and limits(health) is None
        ready = (await c.get("/ready")).json()["rate_limit"]
        assert ready["limited"] == 1 and ready["checked"] == 5 and ready["failed_open"] == 0


async def test_signed_in_callers_are_limited_per_user(limited: Clients) -> None:
    async with (
        limited(RATE_LIMIT_AUTHENTICATED="2/hour", RATE_LIMIT_ANONYMOUS="5/hour") as client,
        client() as c,
    ):
        ann = await signup(c, "ann@example.com")
        bob = await signup(c, "bob@example.com")
        for expected in ("1", "0"):
            response = await c.get(ME, headers=bearer(ann["access_token"]))
            assert response.status_code == 200 and limits(response) == ("2", expected)
        assert_problem(await c.get(ME, headers=bearer(ann["access_token"])), 429, "rate_limited")
        # Bob, from the same address, has his own allowance.
        assert (await c.get(ME, headers=bearer(bob["access_token"]))).status_code == 200
        # A token that does not verify counts as anonymous (and is refused by the route, as always).
        forged = await c.get(ME, headers=bearer("not-a-token"))
        assert forged.status_code == 401 and limits(forged) == ("5", "4")


async def test_log_in_is_limited_per_address_and_per_account(limited: Clients) -> None:
    async with limited(RATE_LIMIT_SENSITIVE="3/minute") as client, client("198.51.100.1") as c:
        await signup(c, "ann@example.com")  # sign-up is sensitive too: 1 of 3 from this address
        for email in ("x@example.com", "y@example.com"):
            response = await c.post(LOGIN, json={"email": email, "password": "wrong password"})
            assert response.status_code == 401 and limits(response) is not None
        refused = await c.post(LOGIN, json={"email": "z@example.com", "password": "wrong"})
        assert_problem(refused, 429, "rate_limited")
        # One account from many addresses: the account's own count stops the fourth attempt.
        statuses = []
        for i in range(4):
            async with client(f"198.51.100.{10 + i}") as c:
                response = await c.post(LOGIN, json={"email": "Ann@example.com", "password": PASSWORD})
                statuses.append(response.status_code)
        assert statuses == [200, 200, 429, 429]  # sign-up counted once for ann's address as account
        assert "retry-after" in response.headers


async def test_forwarded_for_is_believed_only_from_trusted_proxies(limited: Clients) -> None:
    async with (
        limited(RATE_LIMIT_ANONYMOUS="1/hour", TRUSTED_PROXIES=(ip_network("10.0.0.0/8"),)) as client,
        client("10.0.0.1") as proxy,
    ):
        through = {"X-Forwarded-For": "192.0.2.99, 198.51.100.7, 10.0.0.2"}  # spoofed, client, proxy
        assert (await proxy.get(ME, headers=through)).status_code == 401
        assert (await proxy.get(ME, headers=through)).status_code == 429
        spoofed_left = {"X-Forwarded-For": "192.0.2.1, 198.51.100.7"}
        assert (await proxy.get(ME, headers=spoofed_left)).status_code == 429  # same client
        other = {"X-Forwarded-For": "198.51.100.8"}
        assert (await proxy.get(ME, headers=other)).status_code == 401
        async with client("203.0.113.9") as direct:  # not a proxy: its header is ignored
            assert (await direct.get(ME, headers={"X-Forwarded-For": "192.0.2.1"})).status_code == 401
            assert (await direct.get(ME, headers={"X-Forwarded-For": "192.0.2.2"})).status_code == 429


async def test_exempt_networks_and_the_switch(limited: Clients) -> None:
    async with limited(
        RATE_LIMIT_ANONYMOUS="1/hour", RATE_LIMIT_EXEMPT=(ip_network("127.0.0.0/8"),)
    ) as client:
        async with client("127.0.0.1") as c:
            answers = [await c.get(ME) for _ in range(3)]
            assert {r.status_code for r in answers} == {401} and {limits(r) for r in answers} == {None}
        async with client("203.0.113.5") as c:
            assert [(await c.get(ME)).status_code for _ in range(2)] == [401, 429]
    async with limited(RATE_LIMIT_ANONYMOUS="1/hour", RATE_LIMIT_ENABLED=False) as client, client() as c:
        answers = [await c.get(ME) for _ in range(3)]
        assert {r.status_code for r in answers} == {401} and {limits(r) for r in answers} == {None}


async def test_a_dead_backend_fails_open_and_says_so(limited: Clients) -> None:
    async with (
        limited(RATE_LIMIT_URL="redis://127.0.0.1:1/0", RATE_LIMIT_ANONYMOUS="1/hour") as client,
        client() as c,
    ):
        answers = [await c.get(ME) for _ in range(3)]
        assert {r.status_code for r in answers} == {401} and {limits(r) for r in answers} == {None}
        ready = await c.get("/ready")
        assert ready.status_code == 200  # the limiter is not a readiness check
        counters = ready.json()["rate_limit"]
        assert counters["backend"] == "redis"
        assert counters["errors"] >= 1 and counters["failed_open"] >= 3
