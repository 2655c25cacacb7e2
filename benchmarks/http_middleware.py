"""What the HTTP delivery layer (Server-Timing, Cache-Control/Vary, ETag/304, gzip) costs per request.

Not a test: a measurement, in process, in CPU time of the measuring thread (``time.thread_time``:
time the process spends descheduled on a busy machine does not count). Each request is one raw ASGI
call: no server, no client, no sockets, so what differs between variants is the middleware alone.
Rounds alternate the variants (machine noise hits all alike); a figure is the median over rounds of
the mean time per request.

1. The layer alone: ``DeliveryMiddleware``, and Starlette's ``GZipMiddleware`` (minimum size 1 KB,
   its default level 9) for reference, around a stub endpoint that answers a fixed JSON body, beside
   the bare stub.
2. The whole app: ``create_app`` as shipped, the same app without the layer, with Starlette's
   ``GZipMiddleware`` in its place, and a second app without the layer (two identical apps differ by
   this much: the noise floor), on a throwaway SQLite database (a client, six skills and 30 open
   projects).
3. The layer's own time inside that app: timestamps taken around it (``Probe``), medians per
   request. This leaves out what the layer costs indirectly (its allocations' share of garbage
   collection, the caches it evicts), which only the whole-app comparison sees, within its noise.

    taskset -c 0 .venv/bin/python benchmarks/http_middleware.py [--rounds 15] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.app import create_app
from mercenary.db.migrate import upgrade
from mercenary.settings import Settings
from seeding import add_skills, signup_client

try:
    from mercenary.web.middleware.delivery import DeliveryMiddleware
except ImportError:  # an older tree without the layer: only the bare app is measured
    DeliveryMiddleware = None  # type: ignore[assignment,misc]

DESCRIPTION = (
    "An online shop with payments, a clean admin, order tracking, e-mail receipts and a small "
    "analytics page; the current site runs on an old framework and needs a careful migration."
)


@dataclass
class Kind:
    """One kind of request: a path and its headers."""

    name: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]


def settings_for(url: str) -> Settings:
    return Settings(
        MERCENARY_ENV="test",
        DATABASE_URL=url,
        CACHE_URL="memory://",
        SECRET_KEY="benchmark-secret-key-0123456789abcdef0123",  # noqa: S106 (a throwaway database)
        ARGON2_MEMORY_KIB=8192,
        ARGON2_TIME_COST=1,
    )


def variant(settings: Settings, name: str) -> FastAPI:
    """The app as built by ``create_app``, or with the delivery layer removed or replaced."""
    app = create_app(settings)
    if name == "with":
        return app
    app.user_middleware = [m for m in app.user_middleware if m.cls is not DeliveryMiddleware]  # type: ignore[comparison-overlap]
    if name == "starlette-gzip":
        app.user_middleware.insert(0, Middleware(GZipMiddleware, minimum_size=1024))
    return app


async def seed(app: FastAPI) -> tuple[str, int]:
    """A client with 30 open projects: their token and one project's id."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await add_skills(app, ("python", "django", "react", "postgresql", "design", "rust"))
        token = await signup_client(client)
        auth = {"Authorization": f"Bearer {token}"}
        project_id = 0
        words = random.Random(11)
        vocabulary = DESCRIPTION.replace(",", "").replace(";", "").split()
        for i in range(30):
            body = {
                "title": f"Build a Django shop number {i}",
                "description": " ".join(words.choices(vocabulary, k=30)),
                "budget": 5000 + i,
                "skills": ["python", "django", "postgresql"],
                "status": "open",
            }
            project_id = (await client.post("/api/v1/projects", json=body, headers=auth)).json()["id"]
        return token, project_id


def scope_of(kind: Kind) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": kind.path,
        "raw_path": kind.path.encode(),
        "query_string": kind.query,
        "root_path": "",
        "headers": [(b"host", b"bench"), *kind.headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def collector() -> tuple[list[Message], Callable[[Message], Any]]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    return sent, send


async def per_request_us(app: ASGIApp, kind: Kind, n: int) -> float:
    """The mean CPU time of ``n`` calls of ``kind``, in microseconds."""
    template = scope_of(kind)
    _, send = collector()
    gc.collect()
    started = time.thread_time()
    for _ in range(n):
        await app(dict(template), _receive, send)
    return (time.thread_time() - started) / n * 1e6


async def response_of(app: ASGIApp, kind: Kind) -> tuple[int, dict[bytes, bytes], int]:
    sent, send = collector()
    await app(scope_of(kind), _receive, send)
    start, body = sent[0], sent[1]
    return start["status"], dict(start["headers"]), len(body.get("body", b""))


# A row of a table: for each variant (the first is the baseline), the app and the request.
Rows = dict[str, dict[str, tuple[ASGIApp, Kind]]]


async def compare(title: str, rows: Rows, rounds: int, n: int) -> None:
    """Print each row's response per variant, then the medians and what each variant adds."""
    print(f"\n{title}")
    for row, variants in rows.items():
        for name, (app, kind) in variants.items():
            status, headers, size = await response_of(app, kind)
            coding = headers.get(b"content-encoding", b"identity").decode()
            print(f"  {row:22} {name:15} {status} {size:6} B {coding}")
    results: dict[tuple[str, str], list[float]] = {}
    for variants in rows.values():  # warm up
        for app, kind in variants.values():
            await per_request_us(app, kind, n // 10)
    for _ in range(rounds):
        for row, variants in rows.items():
            for name, (app, kind) in variants.items():
                results.setdefault((row, name), []).append(await per_request_us(app, kind, n))
    names = list(next(iter(rows.values())))
    print(f"  median of {rounds} rounds x {n} requests, CPU us per request")
    print(f"  {'':22} " + " ".join(f"{name:>15}" for name in names) + "   added: " + ", ".join(names[1:]))
    for row in rows:
        medians = [statistics.median(results[(row, name)]) for name in names]
        added = ", ".join(f"{m - medians[0]:+.1f}" for m in medians[1:])
        print(f"  {row:22} " + " ".join(f"{m:15.1f}" for m in medians) + f"   {added}")


def stub(body: bytes) -> ASGIApp:
    """An endpoint that answers ``body`` as JSON, the way every route of the API does."""

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        await Response(body, media_type="application/json")(scope, receive, send)

    return endpoint


def page(items: int) -> bytes:
    """A list body shaped like a page of projects, its text drawn from a small vocabulary."""
    words = random.Random(7)
    vocabulary = DESCRIPTION.replace(",", "").replace(";", "").split()
    return orjson.dumps(
        {
            "items": [
                {
                    "id": 1000 + i,
                    "title": " ".join(words.choices(vocabulary, k=5)),
                    "description": " ".join(words.choices(vocabulary, k=30)),
                    "budget": words.randrange(100, 20_000),
                    "status": "open",
                }
                for i in range(items)
            ],
            "has_more": True,
        }
    )


def layer_rows() -> Rows:
    auth = (b"authorization", b"Bearer " + b"x" * 180)
    gzip = (b"accept-encoding", b"gzip, deflate")
    rows: Rows = {}
    for body in (b'{"status":"ok"}', page(1), page(20)):
        app, label = stub(body), f"{len(body)} B"
        for coding, headers in (("", [auth]), (", gzip", [auth, gzip])):
            kind = Kind(label, "/api/v1/projects", b"", headers)
            rows[label + coding] = {
                "bare": (app, kind),
                "delivery": (DeliveryMiddleware(app), kind),
                "starlette-gzip": (GZipMiddleware(app, minimum_size=1024), kind),
            }
    return rows


async def app_rows(apps: dict[str, FastAPI]) -> Rows:
    token, project_id = await seed(apps["without"])
    auth = (b"authorization", f"Bearer {token}".encode())
    gzip = (b"accept-encoding", b"gzip, deflate")
    kinds = [
        Kind("health (15 B)", "/health", b"", [gzip]),
        Kind("project by id", f"/api/v1/projects/{project_id}", b"", [auth, gzip]),
        Kind("list of 20", "/api/v1/projects", b"limit=20", [auth, gzip]),
        Kind("not found", "/api/v1/nope", b"", [auth, gzip]),
    ]
    if "with" in apps:
        _, headers, _ = await response_of(apps["with"], kinds[2])
        revalidate = [auth, gzip, (b"if-none-match", headers[b"etag"])]
        kinds.append(Kind("list of 20, revalidated", "/api/v1/projects", b"limit=20", revalidate))
    return {kind.name: {name: (app, kind) for name, app in apps.items()} for kind in kinds}


class Probe:
    """Times ``DeliveryMiddleware``'s own work inside the real app, from outside it: the layer is
    called with a timestamp, its inner app is wrapped to note when the layer hands over and when
    the layer is handed the body, and the outer ``send`` notes when the finished headers leave.
    Per request: the prologue (entry to the inner app's start), the finishing (the body message
    reaching the layer to the headers leaving it) and the epilogue (the inner app's return to the
    layer's). Medians per request shrug off the descheduling of a busy machine."""

    def __init__(self, fastapi_app: FastAPI) -> None:
        stack = fastapi_app.build_middleware_stack()
        while not isinstance(stack, DeliveryMiddleware):
            stack = stack.app  # type: ignore[attr-defined]
        self.layer, self.inner, self.fastapi_app = stack, stack.app, fastapi_app
        stack.app = self._inner
        self.marks: dict[str, float] = {}

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        marks = self.marks
        marks["inner"] = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                marks["body"] = time.perf_counter()
            await send(message)

        await self.inner(scope, receive, timed_send)
        marks["returned"] = time.perf_counter()

    async def sample(self, kind: Kind, n: int) -> list[tuple[float, float, float]]:
        template = {**scope_of(kind), "app": self.fastapi_app}
        marks = self.marks
        out: list[tuple[float, float, float]] = []

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                marks["headers"] = time.perf_counter()

        for _ in range(n):
            entered = time.perf_counter()
            await self.layer(dict(template), _receive, send)
            left = time.perf_counter()
            out.append((marks["inner"] - entered, marks["headers"] - marks["body"], left - marks["returned"]))
        return out


async def in_situ(fastapi_app: FastAPI, rows: Rows, rounds: int, n: int) -> None:
    """Print the median of each part of the layer's own time per request, inside the real app."""
    probe = Probe(fastapi_app)
    print("\nThe layer's own time inside the whole app (median per request, wall us)")
    print(f"  {'':26} {'prologue':>9} {'finishing':>10} {'epilogue':>9} {'total':>7}")
    for row, variants in rows.items():
        _, kind = variants["with"]
        samples: list[tuple[float, float, float]] = []
        await probe.sample(kind, n // 10)
        for _ in range(rounds):
            samples += await probe.sample(kind, n // 4)
        parts = [statistics.median(s[i] for s in samples) * 1e6 for i in range(3)]
        print(f"  {row:26} {parts[0]:9.1f} {parts[1]:10.1f} {parts[2]:9.1f} {sum(parts):7.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000, help="requests per row and variant per round")
    args = parser.parse_args()

    if DeliveryMiddleware is not None:
        await compare("The layer alone, around a stub endpoint", layer_rows(), args.rounds, args.requests)
    folder = Path(tempfile.mkdtemp(prefix="mercenary-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = settings_for(url)
    # A second app without the layer shows how far two identical apps differ (the noise floor).
    names = ["without", "with", "starlette-gzip"] if DeliveryMiddleware is not None else ["without"]
    apps = {name: variant(settings, name) for name in names}
    apps["without, again"] = variant(settings, "without")
    contexts = [app.router.lifespan_context(app) for app in apps.values()]
    for context in contexts:
        await context.__aenter__()
    try:
        rows = await app_rows(apps)
        await compare("The whole app (SQLite)", rows, args.rounds, args.requests)
        if "with" in apps:
            await in_situ(apps["with"], rows, args.rounds, args.requests)
    finally:
        for context in reversed(contexts):
            await context.__aexit__(None, None, None)


if __name__ == "__main__":
    asyncio.run(main())
