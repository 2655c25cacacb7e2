"""What a by-id read and a project post cost per request, in process, with rate limits and
idempotency keys on and off.

Not a test: a measurement, in CPU time of the measuring thread (``time.thread_time``), one raw ASGI
call per request (no server, no sockets), on a throwaway SQLite database with the in-process cache
and the in-process rate-limit backend. Rounds alternate the variants (machine noise hits all alike);
a figure is the median over rounds of the mean time per request.

Variants: the app with the limiter on (limits raised out of reach, so each request is counted and
passes); the same with ``RATE_LIMIT_ENABLED=false`` (what the limiter adds); and, for the post, the
same request carrying a fresh ``Idempotency-Key`` (what the key's claim and stored response add).
Run it on an older tree to compare: settings it does not know are ignored.

    taskset -c 0 .venv/bin/python benchmarks/request_cost.py [--rounds 9] [--requests 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.app import create_app
from mercenary.db.migrate import upgrade
from mercenary.security.principal import Principal
from mercenary.security.tokens import TokenService
from mercenary.settings import Settings
from seeding import add_skills, signup_client

PROJECT = {
    "title": "Build a Django shop",
    "description": "An online shop with payments, a clean admin and order tracking.",
    "budget": 5000,
    "skills": ["python", "django"],
    "status": "open",
}
_keys = itertools.count()


def settings_for(url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "MERCENARY_ENV": "test",
        "DATABASE_URL": url,
        "CACHE_URL": "memory://",
        "SECRET_KEY": "benchmark-secret-key-0123456789abcdef0123",
        "ARGON2_MEMORY_KIB": 8192,
        "ARGON2_TIME_COST": 1,
        **extra,
    }
    return Settings(**values)


async def seed(app: FastAPI) -> tuple[str, int]:
    """A client with one open project: their token and the project's id."""
    await add_skills(app, ("python", "django"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        token = await signup_client(client)
        created = await client.post(
            "/api/v1/projects", json=PROJECT, headers={"Authorization": f"Bearer {token}"}
        )
        return token, created.json()["id"]


def request(
    method: str, path: str, token: str | None, body: bytes = b"", keyed: bool = False
) -> Callable[[], Any]:
    """A factory of (scope, receive) for one request; a keyed one gets a fresh key each time."""
    headers = [(b"host", b"bench")]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    template = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("10.1.2.3", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    def make() -> tuple[dict[str, Any], Any]:
        scope = dict(template)
        if keyed:
            scope["headers"] = [*headers, (b"idempotency-key", f"k{next(_keys)}".encode())]
        return scope, receive

    return make


async def per_request_us(app: FastAPI, make: Callable[[], Any], n: int) -> float:
    statuses: set[int] = set()

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    gc.collect()
    started = time.thread_time()
    for _ in range(n):
        scope, receive = make()
        await app(scope, receive, send)
    took = (time.thread_time() - started) / n * 1e6
    assert statuses <= {200, 201}, statuses
    return took


async def layer_alone(rounds: int, n: int) -> None:
    """The rate-limit middleware alone around a stub endpoint, signed-in and anonymous requests."""
    try:
        from mercenary.backends.ratelimit import RateLimiter
        from mercenary.web.limits import RatePolicy
        from mercenary.web.middleware.rate_limit import RateLimitMiddleware
    except ImportError:  # an older tree without rate limits
        return
    tokens = TokenService("benchmark-secret-key-0123456789abcdef0123", 900)
    token = tokens.issue_access(Principal(1, 1, "client"))
    limiter = RateLimiter.open("memory://", "bench:")
    unreachable = {"RATE_LIMIT_AUTHENTICATED": "100000000/day", "RATE_LIMIT_ANONYMOUS": "100000000/day"}
    policy = RatePolicy.from_settings(settings_for("sqlite://", **unreachable))
    holder = SimpleNamespace(state=SimpleNamespace(mercenary=SimpleNamespace(tokens=tokens, limiter=limiter)))

    async def stub(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": b"ok"})

    layered = RateLimitMiddleware(stub, policy)
    signed = request("GET", "/api/v1/projects/1", token)
    anonymous = request("GET", "/api/v1/projects/1", None)
    forged = request("GET", "/api/v1/projects/1", "not-a-token")

    async def run(app: ASGIApp, make: Callable[[], Any]) -> float:
        async def send(message: Message) -> None:
            return None

        started = time.thread_time()
        for _ in range(n):
            scope, receive = make()
            scope["app"] = holder
            await app(scope, receive, send)
        return (time.thread_time() - started) / n * 1e6

    results: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, app, make in (
            ("stub", stub, signed),
            ("stub + limiter, signed in", layered, signed),
            ("stub + limiter, anonymous", layered, anonymous),
            ("stub + limiter, bad token", layered, forged),
        ):
            results.setdefault(name, []).append(await run(app, make))
    print(f"the rate-limit middleware alone, median of {rounds} rounds x {n} requests, CPU us per request")
    for name, values in results.items():
        print(f"  {name:28} {statistics.median(values):6.2f}")


async def main(url: str, rounds: int, n: int) -> None:
    await layer_alone(rounds, n * 10)
    # The limiter on (with a limit the run cannot reach, so every request is counted and passes)
    # and off; "with key" is the first app again, each post carrying a fresh Idempotency-Key.
    apps = {
        "limits on": create_app(settings_for(url, RATE_LIMIT_AUTHENTICATED="100000000/day")),
        "limits off": create_app(settings_for(url, RATE_LIMIT_ENABLED=False)),
    }
    contexts = [app.router.lifespan_context(app) for app in apps.values()]
    for ctx in contexts:
        await ctx.__aenter__()
    try:
        token, project_id = await seed(apps["limits on"])
        body = orjson.dumps(PROJECT)
        by_id = f"/api/v1/projects/{project_id}"
        rows = {
            "GET project by id": {name: (app, request("GET", by_id, token)) for name, app in apps.items()},
            "POST project": {
                **{
                    name: (app, request("POST", "/api/v1/projects", token, body))
                    for name, app in apps.items()
                },
                "with key": (apps["limits on"], request("POST", "/api/v1/projects", token, body, keyed=True)),
            },
        }
        results: dict[tuple[str, str], list[float]] = {}
        for variants in rows.values():  # warm up
            for app, make in variants.values():
                await per_request_us(app, make, max(n // 10, 1))
        for _ in range(rounds):
            for row, variants in rows.items():
                for name, (app, make) in variants.items():
                    results.setdefault((row, name), []).append(await per_request_us(app, make, n))
        print(f"median of {rounds} rounds x {n} requests, CPU us per request (SQLite, memory backends)")
        for row, variants in rows.items():
            medians = {name: statistics.median(results[(row, name)]) for name in variants}
            print(f"  {row:18} " + "  ".join(f"{name}: {m:7.1f}" for name, m in medians.items()))
    finally:
        for ctx in reversed(contexts):
            await ctx.__aexit__(None, None, None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)  # Alembic runs its own event loop
        asyncio.run(main(url, args.rounds, args.requests))
