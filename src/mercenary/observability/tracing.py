"""OpenTelemetry traces (OBS-3): off unless ``OTEL_ENABLED``, and then one span per request (named by
its route template), one per database statement and Redis command beneath it, and one per job run,
whose parent is the request that enqueued it (the W3C ``traceparent`` travels with the message).

Nothing here imports OpenTelemetry at module level: with tracing off the API process never loads it
(tests/test_import_budget.py), and the request path pays nothing (the trace middleware is not even
installed, and the statement hook is a ``None`` test). :func:`setup` loads it when switched on.

Only requests and jobs start traces: a Redis command or a statement outside of them (the rate
limiter's periodic flush, the outbox relay, a worker's queue polling) would be a trace of one span
many times a second, so the sampler drops such roots. The exporter is OTLP over HTTP, configured by
the standard ``OTEL_EXPORTER_OTLP_*`` variables (endpoint, headers, timeout).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from time import time_ns
from typing import TYPE_CHECKING, Any

from mercenary.db import timing

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

    from mercenary.settings import Settings

TRACEPARENT = "traceparent"

_tracer: Tracer | None = None
_provider: TracerProvider | None = None
_db_system = "sqlite"


def enabled() -> bool:
    """Whether this process records traces."""
    return _tracer is not None


def tracer() -> Tracer:
    """The process's tracer (only once :func:`setup` has switched tracing on)."""
    assert _tracer is not None, "tracing is off"
    return _tracer


def setup(
    settings: Settings, *, role: str, exporter: SpanExporter | None = None, batch: bool = False
) -> bool:
    """Switch tracing on for this process when ``settings`` say so; whether it is on.

    ``exporter`` replaces the OTLP exporter (tests pass an in-memory one; its spans are exported as
    each ends unless ``batch``). A second call keeps the first one's set-up."""
    global _tracer, _provider, _db_system
    if not settings.OTEL_ENABLED:
        return False
    if _tracer is not None:
        return True
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased

    from mercenary.observability.sampling import RequestsAndJobs

    resource = Resource.create({"service.name": settings.OTEL_SERVICE_NAME, "mercenary.role": role})
    provider = TracerProvider(resource=resource, sampler=ParentBased(root=RequestsAndJobs()))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    elif batch:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    _provider = provider
    _tracer = provider.get_tracer("mercenary")
    _db_system = "postgresql" if settings.DATABASE_URL.startswith("postgres") else "sqlite"
    RedisInstrumentor().instrument(tracer_provider=provider)
    timing.trace_statements(_statement_span)
    return True


def shutdown() -> None:
    """Export what is pending and switch tracing off (a worker's stop; tests)."""
    global _tracer, _provider
    if _provider is None:
        return
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    timing.trace_statements(None)
    RedisInstrumentor().uninstrument()
    _provider.shutdown()
    _tracer = _provider = None


def _statement_span(name: str, sql: str, elapsed: float) -> None:
    """A span for a statement that has just returned: the driver's own timing gives its start, so
    the statement path gains no context switch or second clock read while tracing is off."""
    from opentelemetry.trace import SpanKind

    assert _tracer is not None
    end = time_ns()
    span = _tracer.start_span(
        name,
        kind=SpanKind.CLIENT,
        start_time=end - int(elapsed * 1e9),
        attributes={"db.system.name": _db_system, "db.query.summary": name, "db.query.text": sql},
    )
    span.end(end_time=end)


def traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, to hand to work done elsewhere (a job); None
    when tracing is off or nothing is being traced."""
    if _tracer is None:
        return None
    from opentelemetry.propagate import inject

    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get(TRACEPARENT)


def remote_parent(headers: Mapping[str, str]) -> Any:
    """The context a caller's ``traceparent``/``tracestate`` headers name (empty when absent)."""
    from opentelemetry.propagate import extract

    return extract(headers)


async def in_job_span(job: str, message_id: str, parent: str | None, work: Awaitable[None]) -> None:
    """Await ``work`` (one run of ``job``) inside a span whose parent is ``parent`` (the enqueuing
    request's ``traceparent``), so the request and the job are one trace."""
    from opentelemetry.trace import SpanKind

    assert _tracer is not None
    context = remote_parent({TRACEPARENT: parent}) if parent else None
    attributes = {"messaging.system": "dramatiq", "messaging.message.id": message_id, "mercenary.job": job}
    with _tracer.start_as_current_span(
        f"job {job}", context=context, kind=SpanKind.CONSUMER, attributes=attributes
    ):
        await work
