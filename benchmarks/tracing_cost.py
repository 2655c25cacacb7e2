"""What tracing (OBS-3) costs per request, off (the default) and on.

Not a test: a measurement, in process, in CPU time of the measuring thread, the same way as
``http_middleware.py`` (whose helpers it reuses): raw ASGI calls on a throwaway SQLite database,
rounds alternating the variants, medians over rounds of the mean per request.

- ``off``: the app as shipped (``OTEL_ENABLED=false``): no trace layer, the statement hook unset.
- ``off, again``: a second such app (the noise floor).
- ``on``: ``OTEL_ENABLED=true``: the request span, a span per statement, through the SDK's
  ``BatchSpanProcessor`` to an exporter that drops them (the OTLP encoding and the send happen on the
  processor's thread, not the request's: measured apart, per span, below).

Tracing is process-wide (the statement hook), so each call sets the hook as its variant wants it.

    taskset -c 0 .venv/bin/python benchmarks/tracing_cost.py [--rounds 9] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from http_middleware import Kind, Rows, compare, seed, settings_for
from mercenary.app import create_app
from mercenary.db import timing
from mercenary.db.migrate import upgrade
from mercenary.observability import tracing


class Dropped(SpanExporter):
    """Takes every batch and keeps nothing."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


class Toggled:
    """An app that sets the process-wide statement hook as its variant wants it before each call."""

    def __init__(self, app: Any, hook: Any) -> None:
        self.app = app
        self.hook = hook

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        timing.trace_statements(self.hook)
        await self.app(scope, receive, send)


def encode_us(n: int) -> float:
    """The OTLP protobuf encoding of one finished span (what the batch thread does per span)."""
    provider = TracerProvider()
    tracer = provider.get_tracer("bench")
    spans = []
    for _ in range(512):
        with tracer.start_as_current_span("GET /api/v1/projects/{project_id}") as span:
            span.set_attribute("http.route", "/api/v1/projects/{project_id}")
        spans.append(span)
    started = time.thread_time()
    for _ in range(n):
        encode_spans(spans).SerializeToString()  # type: ignore[arg-type]
    return (time.thread_time() - started) / (n * len(spans)) * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    print(f"OTLP encoding of one span, on the export thread (CPU us): {encode_us(20):.2f}")
    folder = Path(tempfile.mkdtemp(prefix="mercenary-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = settings_for(url).model_copy(update={"ACCESS_LOG": False})
    apps = {"off": create_app(settings), "off, again": create_app(settings)}
    # As in production: batches, not a synchronous export per span.
    tracing.setup(
        settings.model_copy(update={"OTEL_ENABLED": True}), role="api", exporter=Dropped(), batch=True
    )
    apps["on"] = create_app(settings.model_copy(update={"OTEL_ENABLED": True}))
    hook = timing._tracer
    contexts = [app.router.lifespan_context(app) for app in apps.values()]
    for context in contexts:
        await context.__aenter__()
    try:
        token, project_id = await seed(apps["off"])
        auth = (b"authorization", f"Bearer {token}".encode())
        kinds = [
            Kind("project by id", f"/api/v1/projects/{project_id}", b"", [auth]),
            Kind("project list", "/api/v1/projects", b"limit=20", [auth]),
            Kind("health", "/health", b"", []),
        ]
        rows: Rows = {
            kind.name: {
                name: (Toggled(app, hook if name == "on" else None), kind) for name, app in apps.items()
            }
            for kind in kinds
        }
        await compare("The whole app (SQLite), CPU us per request", rows, args.rounds, args.requests)
    finally:
        for context in reversed(contexts):
            await context.__aexit__(None, None, None)
        tracing.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
