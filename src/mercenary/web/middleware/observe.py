"""What each request tells the operators (OBS-1, OBS-2), in one pure ASGI middleware, outermost.

- A correlation id: the client's ``X-Request-ID`` when sane, else a new one; echoed in the
  response's ``X-Request-ID`` and on every log line written while the request runs.
- ``request_duration_seconds{route, method, status}``: ``route`` is the template the router matched
  (``/api/v1/projects/{project_id}``), never the raw path, so the series stay a bounded set;
  requests no route matched count as ``<unmatched>`` and unknown methods as ``OTHER``.
- One access line (``AccessLog``, when given): method, path, route, status, duration and database
  time, with the request id and the caller.

Cheap on purpose (docs/observability.md has the figures): the histogram's child per (route, method,
status) is looked up in a dict of our own rather than through ``labels()``, and the access line
bypasses ``logging``'s record machinery.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.db.timing import DbClock, request_clock
from mercenary.observability.context import RequestContext, current, request_id
from mercenary.observability.logs import AccessLog
from mercenary.observability.registry import REQUEST_DURATION

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"


class ObserveMiddleware:
    """Correlation id, the request histogram and the access log around ``app``."""

    def __init__(self, app: ASGIApp, *, access_log: AccessLog | None = None) -> None:
        self.app = app
        self.access_log = access_log
        self._children: dict[tuple[str, str, int], Any] = {}

    def _observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = REQUEST_DURATION.labels(route, method, str(status))
        child.observe(seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        given = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given = value
                break
        rid = request_id(given)
        token = current.set(RequestContext(rid.decode()))
        clock = DbClock()
        clock_token = request_clock.set(clock)
        status = 500  # what the server answers when the app fails before starting a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = perf_counter() - started
            matched = scope.get("route")
            route = getattr(matched, "path", UNMATCHED) if matched is not None else UNMATCHED
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self._observe(route, method, status, elapsed)
            if self.access_log is not None:
                client = scope.get("client")
                self.access_log.write(
                    {
                        "method": method,
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                        "db_ms": round(clock.seconds * 1000, 3),
                        "client": client[0] if client else None,
                    }
                )
            request_clock.reset(clock_token)
            current.reset(token)
