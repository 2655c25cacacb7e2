"""What the request-path hardening costs per request: the deadline layer and the security headers.

Not a test: a measurement, in process, in CPU time of the measuring thread (``time.thread_time``),
each request one raw ASGI call (no server, no sockets), rounds alternating the variants, a figure
the median over rounds of the mean per request (the method of ``http_middleware.py``).

1. The layers alone, around a stub endpoint answering a fixed JSON body: ``DeadlineMiddleware``
   against the bare stub and against ``asyncio.timeout`` around the call (the simplest way to a
   deadline, which the layer does not take: it arms a timer per request); ``DeliveryMiddleware`` as
   it is here (with the security headers) against the same layer without them
   (``--baseline-delivery``: the file of an older tree, e.g.
   ``git show main:src/mercenary/web/middleware/delivery.py > /tmp/old.py``).
2. The whole app on a throwaway SQLite database: as shipped, without the deadline layer, and a
   second app without it (two identical apps differ by this much: the noise floor).

    taskset -c 0 .venv/bin/python benchmarks/hardening.py [--rounds 15] [--requests 2000]
        [--baseline-delivery /tmp/old.py]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import tempfile
from pathlib import Path

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from http_middleware import Kind, Rows, app_rows, compare, page, settings_for, stub
from mercenary.app import create_app
from mercenary.db.migrate import upgrade
from mercenary.settings import Settings
from mercenary.web.middleware.deadline import DeadlineMiddleware
from mercenary.web.middleware.delivery import DeliveryMiddleware


def older_delivery(path: Path) -> type[DeliveryMiddleware]:
    """``DeliveryMiddleware`` from another tree's file (it imports this tree's helpers)."""
    spec = importlib.util.spec_from_file_location("older_delivery", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cls: type[DeliveryMiddleware] = module.DeliveryMiddleware
    return cls


class TimeoutLayer:
    """``asyncio.timeout`` around the call, for comparison."""

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with asyncio.timeout(self.timeout_s):
            await self.app(scope, receive, send)


def layer_rows(kind_of: str, baseline: type[DeliveryMiddleware] | None = None) -> Rows:
    """The deadline rows (bare, the layer, ``asyncio.timeout``) or the delivery rows (without and
    with the security headers)."""
    auth = (b"authorization", b"Bearer " + b"x" * 180)
    rows: Rows = {}
    for body in (b'{"status":"ok"}', page(20)):
        app, label = stub(body), f"{len(body)} B"
        kind = Kind(label, "/api/v1/projects", b"", [auth])
        if kind_of == "deadline":
            rows[label] = {
                "bare": (app, kind),
                "deadline layer": (DeadlineMiddleware(app, timeout_s=5), kind),
                "asyncio.timeout": (TimeoutLayer(app, 5), kind),
            }
        elif baseline is not None:
            rows[label] = {"no headers": (baseline(app), kind), "headers": (DeliveryMiddleware(app), kind)}
    return rows


def without_deadline(settings: Settings) -> FastAPI:
    app = create_app(settings)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not DeadlineMiddleware]  # type: ignore[comparison-overlap]
    return app


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000, help="requests per row and variant per round")
    parser.add_argument("--baseline-delivery", type=Path, help="an older delivery.py, for the headers' cost")
    args = parser.parse_args()

    baseline = older_delivery(args.baseline_delivery) if args.baseline_delivery else None
    title = "The deadline alone, around a stub endpoint"
    await compare(title, layer_rows("deadline"), args.rounds, args.requests)
    if baseline is not None:
        title = "DeliveryMiddleware around a stub endpoint, without and with the security headers"
        await compare(title, layer_rows("delivery", baseline), args.rounds, args.requests)

    folder = Path(tempfile.mkdtemp(prefix="mercenary-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = settings_for(url)
    apps = {
        "without": without_deadline(settings),
        "with": create_app(settings),
        "without, again": without_deadline(settings),
    }
    contexts = [app.router.lifespan_context(app) for app in apps.values()]
    for context in contexts:
        await context.__aenter__()
    try:
        rows = await app_rows(apps)
        await compare(
            "The whole app (SQLite): with and without the deadline layer", rows, args.rounds, args.requests
        )
    finally:
        for context in reversed(contexts):
            await context.__aexit__(None, None, None)


if __name__ == "__main__":
    asyncio.run(main())
