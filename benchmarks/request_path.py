"""What a request pays on the way in: a POST of a project (body checks: nesting depth, control and
invisible characters, strict integers) and a GET of a project by id (the path id's digits check,
HEAD handling and the crash guard's layer), in microseconds of CPU per request.

Not a test: a measurement, in process, with raw ASGI calls on the app ``create_app`` builds (no
server, no client, no sockets), on a throwaway SQLite database. The figure is the median over
rounds of the mean CPU time (``time.thread_time``) per request. It measures whichever ``mercenary``
is importable, so a tree is compared with another by running it once per tree, e.g. the main
branch's ``src`` exported by ``git archive`` and put first on ``PYTHONPATH``:

    taskset -c 0 .venv/bin/python benchmarks/request_path.py [--rounds 9] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx
import orjson
from fastapi import FastAPI

import mercenary
from mercenary.app import create_app
from mercenary.db.migrate import upgrade
from mercenary.settings import Settings
from seeding import add_skills, signup_client

PROJECT = {
    "title": "Build a Django shop",
    "description": "An online shop with payments, a clean admin, order tracking and e-mail receipts.",
    "budget": 5000,
    "skills": ["python", "django", "postgresql"],
    "status": "open",
}


def scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def per_request_us(app: FastAPI, template: dict[str, Any], body: bytes, n: int) -> tuple[float, int]:
    """Mean CPU microseconds of ``n`` calls, and the last status."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    gc.collect()
    started = time.thread_time()
    for _ in range(n):
        await app(dict(template), receive, send)
    return (time.thread_time() - started) / n * 1e6, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        figures = asyncio.run(measure(url, args.rounds, args.requests))
    print(f"tree: {Path(mercenary.__file__).parent}")
    for name, values in figures.items():
        print(
            f"{name:28} {statistics.median(values):8.1f} us/request "
            f"(min {min(values):.1f}, {args.rounds} rounds)"
        )


async def measure(url: str, rounds: int, requests: int) -> dict[str, list[float]]:
    """Per round, the mean CPU time of ``requests`` POSTs and then of as many GETs."""
    settings = Settings(
        MERCENARY_ENV="test",
        DATABASE_URL=url,
        CACHE_URL="memory://",
        SECRET_KEY="benchmark-secret-key-0123456789abcdef0123",  # noqa: S106 (a throwaway database)
        ARGON2_MEMORY_KIB=8192,
        ARGON2_TIME_COST=1,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await add_skills(app, ("python", "django", "postgresql"))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            token = await signup_client(client)
            created = await client.post(
                "/api/v1/projects", json=PROJECT, headers={"Authorization": f"Bearer {token}"}
            )
            project_id = created.json()["id"]
        auth = (b"authorization", f"Bearer {token}".encode())
        body = orjson.dumps(PROJECT)
        post = scope(
            "POST",
            "/api/v1/projects",
            [auth, (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        )
        get = scope("GET", f"/api/v1/projects/{project_id}", [auth])
        figures: dict[str, list[float]] = {"POST /api/v1/projects": [], "GET /api/v1/projects/{id}": []}
        for _ in range(rounds):
            us, status = await per_request_us(app, post, body, requests)
            assert status == 201, status
            figures["POST /api/v1/projects"].append(us)
            us, status = await per_request_us(app, get, b"", requests)
            assert status == 200, status
            figures["GET /api/v1/projects/{id}"].append(us)
    return figures


if __name__ == "__main__":
    main()
