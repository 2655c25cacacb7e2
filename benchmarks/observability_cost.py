"""What the observability layer (OBS-1, OBS-2) costs per request: metrics, access log, both.

Not a test: a measurement, in process, in CPU time of the measuring thread, the same way as
``http_middleware.py`` (whose helpers it reuses): raw ASGI calls on a throwaway SQLite database,
rounds alternating the variants, medians over rounds of the mean per request.

1. The whole app: ``create_app`` without ``ObserveMiddleware`` and without the statement histogram
   (the "before"), a second such app (the noise floor), the layer with metrics only
   (``ACCESS_LOG=false``), and the layer as shipped (metrics and an access line, formatted as JSON and
   written to ``/dev/null``).
2. The parts alone: one histogram observation, single-process and multiprocess
   (``PROMETHEUS_MULTIPROC_DIR``, in a child process), and one access line through stdlib logging with
   the service's JSON formatter, the service's ``AccessLog``, and structlog's JSON renderer (when
   structlog is installed; it is not a dependency).

    taskset -c 0 .venv/bin/python benchmarks/observability_cost.py [--rounds 15] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

import orjson
from fastapi import FastAPI

from http_middleware import Kind, Rows, compare, seed, settings_for
from mercenary.app import create_app
from mercenary.db import timing
from mercenary.db.migrate import upgrade
from mercenary.observability.logs import AccessLog, JsonFormatter, lean_records
from mercenary.observability.registry import DB_STATEMENT_DURATION
from mercenary.web.middleware.observe import ObserveMiddleware

OBSERVE_ONE = """
import time
from prometheus_client import Histogram
h = Histogram("bench_seconds", "x", ("route", "method", "status")).labels("/r", "GET", "200")
n = 200_000
started = time.thread_time()
for _ in range(n):
    h.observe(0.0012)
print((time.thread_time() - started) / n * 1e6)
"""


class Toggled:
    """An app that turns the statement histogram on or off before each call (it is process-wide)."""

    def __init__(self, app: Any, statements: bool) -> None:
        self.app = app
        self.observer = DB_STATEMENT_DURATION.observe if statements else None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        timing.observe_statements(self.observer)
        await self.app(scope, receive, send)


def variant(url: str, name: str, sink: TextIO) -> FastAPI:
    settings = settings_for(url).model_copy(update={"ACCESS_LOG": name == "metrics+log"})
    app = create_app(settings)
    for middleware in app.user_middleware:
        access = middleware.kwargs.get("access_log")
        if isinstance(access, AccessLog):
            access.stream = sink
    if name.startswith("without"):
        app.user_middleware = [m for m in app.user_middleware if m.cls is not ObserveMiddleware]  # type: ignore[comparison-overlap]
    return app


def observe_us(multiprocess: bool) -> float:
    env = dict(os.environ)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with tempfile.TemporaryDirectory() as folder:
        if multiprocess:
            env["PROMETHEUS_MULTIPROC_DIR"] = folder
        out = subprocess.run([sys.executable, "-c", OBSERVE_ONE], env=env, capture_output=True, text=True)
    return float(out.stdout)


def log_line_us(n: int) -> dict[str, float]:
    """One access line's CPU cost: stdlib + the service's JSON formatter, and structlog's JSON."""
    extra: dict[str, Any] = {
        "method": "GET",
        "path": "/api/v1/projects/7",
        "route": "/api/v1/projects/{project_id}",
    }
    extra |= {"status": 200, "duration_ms": 0.812, "db_ms": 0.071, "client": "127.0.0.1"}
    results = {}
    access = logging.getLogger("mercenary.access")
    with open(os.devnull, "w") as sink:
        started = time.thread_time()
        for _ in range(n):
            AccessLog("json", sink).write(dict(extra))
        results["AccessLog (as shipped)"] = (time.thread_time() - started) / n * 1e6
        handler = logging.StreamHandler(sink)
        handler.setFormatter(JsonFormatter())
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False
        started = time.thread_time()
        for _ in range(n):
            access.info("%s %s %d", "GET", "/api/v1/projects/7", 200, extra=extra)
        results["stdlib + JsonFormatter"] = (time.thread_time() - started) / n * 1e6
        lean_records()
        started = time.thread_time()
        for _ in range(n):
            access.info("%s %s %d", "GET", "/api/v1/projects/7", 200, extra=extra)
        results["the same, lean records"] = (time.thread_time() - started) / n * 1e6
        access.removeHandler(handler)
        try:  # not a dependency: measured when installed
            structlog = importlib.import_module("structlog")
        except ImportError:
            return results
        structlog.configure(
            processors=[
                structlog.contextvars.merge_contextvars,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.JSONRenderer(serializer=orjson.dumps),
            ],
            logger_factory=structlog.BytesLoggerFactory(sink.buffer),
            cache_logger_on_first_use=True,
        )
        log = structlog.get_logger("mercenary.access")
        started = time.thread_time()
        for _ in range(n):
            log.info("GET /api/v1/projects/7 200", **extra)
        results["structlog + orjson"] = (time.thread_time() - started) / n * 1e6
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    print("One histogram observation (CPU us):")
    print(f"  single-process {observe_us(False):.2f}   multiprocess {observe_us(True):.2f}")
    print("One access line, formatted as JSON and written to /dev/null (CPU us):")
    for name, cost in log_line_us(50_000).items():
        print(f"  {name:24} {cost:.2f}")

    folder = Path(tempfile.mkdtemp(prefix="mercenary-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    names = ["without", "without, again", "metrics", "metrics+log"]
    sink = open(os.devnull, "w")  # noqa: SIM115, ASYNC230 (open for the whole run)
    apps = {name: variant(url, name, sink) for name in names}
    contexts = [app.router.lifespan_context(app) for app in apps.values()]
    for context in contexts:
        await context.__aenter__()
    try:
        token, project_id = await seed(apps["without"])
        auth = (b"authorization", f"Bearer {token}".encode())
        kinds = [
            Kind("project by id", f"/api/v1/projects/{project_id}", b"", [auth]),
            Kind("health", "/health", b"", []),
        ]
        rows: Rows = {
            kind.name: {
                name: (Toggled(app, statements=not name.startswith("without")), kind)
                for name, app in apps.items()
            }
            for kind in kinds
        }
        await compare("The whole app (SQLite), CPU us per request", rows, args.rounds, args.requests)
    finally:
        for context in reversed(contexts):
            await context.__aexit__(None, None, None)
        sink.close()


if __name__ == "__main__":
    asyncio.run(main())
