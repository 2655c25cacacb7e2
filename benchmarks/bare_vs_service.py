"""GET a project by id: Mercenary beside a bare Starlette app on the same database and driver.

Not a test: a measurement. The bare app is the floor of what Python can do for this request here:
uvicorn (uvloop + httptools) and Starlette, one statement through the raw driver (asyncpg's pool,
or sqlite3 in the event loop's thread as Mercenary's SQLite backend does), the row as JSON with
orjson. No auth, no validation, no skills. Mercenary's own endpoint verifies a bearer token, checks
visibility and adds the project's skills. Each server runs alone on core 0 while wrk drives it
from core 1, in alternating rounds; the figures are medians and their ratio (issue target: the
service at >= 60 % of the bare app).

    .venv/bin/python benchmarks/bare_vs_service.py --db-url sqlite:///var/rig/run/mercenary.db \\
        --project-id 99996 --email client2@seed.mercenary.test

The database must be migrated and seeded (``mercenary seed``); the account logs in with the seed
password. Needs Debian's ``wrk`` and ``taskset``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mercenary.db.postgres import asyncpg_dsn
from mercenary.db.sqlite import sqlite_path

SQL = (
    "SELECT id, tenant_id, owner_id, title, description, budget, status, created_at, updated_at "
    "FROM projects WHERE id = {mark}"
)
SEED_PASSWORD = "mercenary-seed"  # noqa: S105 (the seeded accounts' password)


def bare_app() -> Starlette:
    """The bare app for ``BARE_DB_URL``: ``GET /projects/{id}``."""
    url = os.environ["BARE_DB_URL"]
    state: dict[str, Any] = {}

    async def by_id_pg(request: Request) -> Response:
        row = await state["pool"].fetchrow(SQL.format(mark="$1"), int(request.path_params["id"]))
        if row is None:
            return Response(status_code=404)
        return Response(orjson.dumps(dict(row)), media_type="application/json")

    async def by_id_sqlite(request: Request) -> Response:
        cur = state["conn"].execute(SQL.format(mark="?"), (int(request.path_params["id"]),))
        row = cur.fetchone()
        if row is None:
            return Response(status_code=404)
        names = [d[0] for d in cur.description]
        return Response(orjson.dumps(dict(zip(names, row, strict=True))), media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if url.startswith("postgresql"):
            state["pool"] = await asyncpg.create_pool(asyncpg_dsn(url), min_size=1, max_size=10)
        else:
            state["conn"] = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
        yield
        if "pool" in state:
            await state["pool"].close()

    handler = by_id_pg if url.startswith("postgresql") else by_id_sqlite
    return Starlette(routes=[Route("/projects/{id:int}", handler)], lifespan=lifespan)


def _wait(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (loopback only)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _wrk(url: str, seconds: int, connections: int, headers: list[str]) -> float:
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    for h in headers:
        cmd[-1:-1] = ["-H", h]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"non-2xx answers from {url}:\n{out}")
    return float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))


def _token(base: str, email: str) -> str:
    body = json.dumps({"email": email, "password": SEED_PASSWORD}).encode()
    req = urllib.request.Request(  # noqa: S310 (loopback only)
        f"{base}/api/v1/auth/login", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(req) as response:  # noqa: S310
        return str(json.load(response)["access_token"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--project-id", type=int, required=True, help="an open project")
    parser.add_argument("--email", default="client2@seed.mercenary.test", help="a seeded account")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()

    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DATABASE_URL": args.db_url, "BARE_DB_URL": args.db_url}
    bin_dir = os.path.dirname(sys.executable)
    commands = {
        "bare": [
            sys.executable, "-m", "uvicorn", "bare_vs_service:bare_app", "--factory", "--loop", "uvloop",
            "--http", "httptools", "--no-access-log", "--log-level", "warning", "--port", str(args.port),
        ],
        "service": [f"{bin_dir}/mercenary", "serve", "--port", str(args.port), "--workers", "1"],
    }  # fmt: skip
    paths = {"bare": f"/projects/{args.project_id}", "service": f"/api/v1/projects/{args.project_id}"}
    figures: dict[str, list[float]] = {"bare": [], "service": []}
    for _ in range(args.rounds):
        for side, command in commands.items():
            proc = subprocess.Popen(
                ["taskset", "-c", "0", *command],
                env=env,
                cwd=os.path.dirname(os.path.abspath(__file__)),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                _wait(base + ("/health" if side == "service" else paths["bare"]))
                headers = [f"authorization: Bearer {_token(base, args.email)}"] if side == "service" else []
                _wrk(base + paths[side], 3, args.connections, headers)  # warm-up
                figures[side].append(_wrk(base + paths[side], args.seconds, args.connections, headers))
            finally:
                proc.terminate()
                proc.wait()
            print(f"{side:8} {figures[side][-1]:>9,.0f} req/s", flush=True)
    bare, service = statistics.median(figures["bare"]), statistics.median(figures["service"])
    print(f"median: bare {bare:,.0f} req/s, service {service:,.0f} req/s, service/bare {service / bare:.0%}")


if __name__ == "__main__":
    main()
