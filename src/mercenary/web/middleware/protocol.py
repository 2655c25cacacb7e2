"""HTTP semantics the framework leaves out, in the outermost layer of the app (one pure ASGI
middleware, so a request pays one frame and one ``send`` wrapper for both):

- ``HEAD`` wherever ``GET`` is (RFC 9110 §9.3.2): FastAPI routes a method only where it is
  declared, so a HEAD is run as its GET (the same headers, ETag and ``Content-Length`` included)
  and its body is dropped on the way out.
- An exception nothing else handled is answered here, once and logged once
  (:func:`crash_response`: 503 with ``Retry-After`` when the database failed
  in a way worth a retry, else a 500 problem). Starlette's own last resort answers and then
  re-raises to the server, which logs the traceback a second time and closes the keep-alive
  connection; caught here, the connection stays usable. An exception after the response has
  started cannot be answered any more and still goes to the server, which closes the connection.
"""

from __future__ import annotations

import logging

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.db.base import is_busy, is_unavailable
from mercenary.web.errors import CRASH_HEADERS, DATABASE_BUSY, DATABASE_UNAVAILABLE, INTERNAL_ERROR

log = logging.getLogger("mercenary.web")


def crash_response(exc: BaseException, method: str, path: str) -> Response:
    """The answer to an exception nothing else handled, logged once: 503 (``database_busy`` or
    ``database_unavailable``, with ``Retry-After``) when the database failed in a way worth a
    retry, else 500 ``internal_error``. Sent from outside ``DeliveryMiddleware``, so it carries
    ``no-store`` and the security headers itself (``CRASH_HEADERS``)."""
    if is_unavailable(exc):
        log.warning("database unavailable on %s %s: %r", method, path, exc)
        return DATABASE_UNAVAILABLE.response(
            "The database cannot be reached; retry shortly.",
            {"Retry-After": "5", **CRASH_HEADERS},
        )
    if is_busy(exc):
        log.warning("database busy on %s %s: %r", method, path, exc)
        return DATABASE_BUSY.response(
            "The database is busy; retry shortly.", {"Retry-After": "1", **CRASH_HEADERS}
        )
    log.error("unhandled error on %s %s", method, path, exc_info=exc)
    return INTERNAL_ERROR.response(headers=CRASH_HEADERS)


class ProtocolMiddleware:
    """HEAD as GET without a body, and a problem+json answer to any unhandled exception."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            elif head and message.get("body"):
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        except Exception as exc:
            if started:
                raise
            response = crash_response(exc, method, scope["path"])
            await response(scope, receive, send)
