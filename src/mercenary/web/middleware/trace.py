"""The request span (OBS-3), installed only when tracing is on (``OTEL_ENABLED``): with it off the
stack has no such layer, so the request path pays nothing for it.

The span is named ``METHOD /route/{template}`` once routing is done (never the raw path: bounded
names), continues the caller's trace when the request carries a W3C ``traceparent``, and is the
current span while the app runs, so the statements and Redis commands of the request, and the jobs
it enqueues, are its children.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.observability import tracing

PROPAGATED = frozenset({b"traceparent", b"tracestate"})


class TraceMiddleware:
    """One server span per HTTP request around ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.tracer = tracing.tracer()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in PROPAGATED}
        parent: Any = tracing.remote_parent(carrier) if carrier else None
        method = scope["method"]
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with self.tracer.start_as_current_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        ) as span:
            try:
                await self.app(scope, receive, send_status)
            finally:
                route = scope.get("route")
                if route is not None:
                    span.update_name(f"{method} {route.path}")
                    span.set_attributes({"http.route": route.path, "http.response.status_code": status})
                else:
                    span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(StatusCode.ERROR)
