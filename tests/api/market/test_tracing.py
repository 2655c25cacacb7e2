"""Traces (OBS-3): a request's span by route template, its statements and Redis commands as its
children, the caller's W3C ``traceparent`` continued, and the trace carried into the job it enqueues,
run by a real worker process that exports over OTLP/HTTP to a receiver the test runs."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from mercenary.app import create_app
from mercenary.backends.queue.tables import job_outbox
from mercenary.db import Database
from mercenary.observability import tracing
from mercenary.settings import Settings
from tests.api.market.conftest import Market, post_project
from tests.api.market.test_rating_job import _closed, _review
from tests.support.workers import WorkerProcess, wait_for

PROJECT = "/api/v1/projects/{project_id}"
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on in this process, its spans kept in memory; off again afterwards."""
    exporter = InMemorySpanExporter()
    yield exporter
    tracing.shutdown()


@pytest.fixture
async def app(settings: Settings, spans: InMemorySpanExporter) -> AsyncIterator[FastAPI]:
    traced = settings.model_copy(update={"OTEL_ENABLED": True})
    assert tracing.setup(traced, role="api", exporter=spans)
    application = create_app(traced)
    async with application.router.lifespan_context(application):
        yield application


def request_span(finished: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in finished if s.kind is SpanKind.SERVER and s.name == name]
    assert len(found) == 1, [s.name for s in finished]
    return found[0]


def children(finished: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    return [s for s in finished if s.parent is not None and s.parent.span_id == parent.context.span_id]


async def test_a_request_is_a_span_by_route_with_its_statements_and_redis_commands_beneath(
    client: httpx.AsyncClient, market: Market, settings: Settings, spans: InMemorySpanExporter
) -> None:
    project = await post_project(client, market.a1)
    spans.clear()
    got = await client.get(
        f"/api/v1/projects/{project['id']}", headers={**market.a1.headers, "traceparent": CALLER}
    )
    assert got.status_code == 200, got.text
    finished = list(spans.get_finished_spans())
    span = request_span(finished, f"GET {PROJECT}")
    assert span.attributes is not None and span.attributes["http.route"] == PROJECT
    assert span.attributes["http.response.status_code"] == 200
    assert span.context is not None and format(span.context.trace_id, "032x") == CALLER_TRACE
    assert span.parent is not None and span.parent.is_remote  # the caller's span

    beneath = children(finished, span)
    statements = [s for s in beneath if s.attributes and "db.query.text" in s.attributes]
    assert statements, [s.name for s in beneath]
    system = "postgresql" if settings.DATABASE_URL.startswith("postgres") else "sqlite"
    for statement in statements:
        assert statement.kind is SpanKind.CLIENT
        assert statement.attributes is not None and statement.attributes["db.system.name"] == system
        assert statement.start_time is not None and span.start_time is not None
        assert span.start_time <= statement.start_time <= (statement.end_time or 0) <= (span.end_time or 0)
    if settings.cache_url.startswith("redis"):  # PostgreSQL runs with Redis as cache and limiter
        commands = [
            s
            for s in beneath
            if s.attributes and "redis" in (s.attributes.get("db.system"), s.attributes.get("db.system.name"))
        ]
        assert commands, [s.name for s in beneath]

    # A path no route matched is named by its method only: no raw path becomes a span name.
    spans.clear()
    assert (await client.get("/no/such/path")).status_code == 404
    request_span(list(spans.get_finished_spans()), "GET")

    # Without a caller's traceparent the request starts a trace of its own.
    spans.clear()
    await client.get(f"/api/v1/projects/{project['id']}", headers=market.a1.headers)
    own = request_span(list(spans.get_finished_spans()), f"GET {PROJECT}")
    assert own.parent is None


class Receiver(BaseHTTPRequestHandler):
    """An OTLP/HTTP trace receiver: keeps every exported request."""

    received: list[ExportTraceServiceRequest]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/traces":
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            self.server.received.append(request)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def exported(server: ThreadingHTTPServer) -> list[Any]:
    return [
        span
        for request in server.received  # type: ignore[attr-defined]
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]


async def test_a_job_runs_in_the_trace_of_the_request_that_enqueued_it(
    client: httpx.AsyncClient,
    market: Market,
    settings: Settings,
    spans: InMemorySpanExporter,
    db: Database,
    app: FastAPI,
    collector: ThreadingHTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pid = await _closed(client, market)
    spans.clear()
    posted = await client.post(
        "/api/v1/reviews", json=_review(pid, market.f1.id, 4), headers=market.a1.headers
    )
    assert posted.status_code == 201, posted.text
    await app.state.mercenary.queue.drain()
    review = request_span(list(spans.get_finished_spans()), "POST /api/v1/reviews")
    assert review.context is not None
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(job_outbox)) == 0  # sent at commit

    host, port = collector.server_address[:2]
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"http://{host!s}:{port}/v1/traces")
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
    worker_settings = settings.model_copy(
        update={"OTEL_ENABLED": True, "OTEL_SERVICE_NAME": "mercenary-test"}
    )
    worker = await WorkerProcess.start(worker_settings, tmp_path / "worker.log", modules=())
    try:
        await wait_for(
            lambda: any(s.name == "job reviews.refresh_rating" for s in exported(collector)),
            30,
            "the job span",
        )
    finally:
        assert await worker.stop() == 0
    found = exported(collector)
    job = next(s for s in found if s.name == "job reviews.refresh_rating")
    # One trace: the job's parent is the request's span, carried in the message's traceparent.
    assert job.trace_id.hex() == format(review.context.trace_id, "032x")
    assert job.parent_span_id.hex() == format(review.context.span_id, "016x")
    statements = [
        s
        for s in found
        if s.parent_span_id == job.span_id and any(a.key == "db.query.text" for a in s.attributes)
    ]
    assert statements, [s.name for s in found]
    assert all(s.trace_id == job.trace_id for s in statements)
    # The worker's queue polling and relay are not traced: every exported span belongs to a job.
    roots = [s for s in found if not s.parent_span_id]
    assert roots == [], [s.name for s in roots]
