"""A deadline on every request (RES-2): past ``REQUEST_TIMEOUT_S`` the request's work is cancelled
and the caller gets ``503 deadline_exceeded`` with ``Retry-After``, so a slow dependency (a
statement stuck on a lock, a dependency that stopped answering) cannot hold the server's capacity.

The deadline is ``asyncio.timeout`` around the app's call, in the task that already runs the
request: one timer per request and no extra Task (a Task per request would cost several times as
much). Cancelling the task unwinds the request's ``await``s: an open transaction rolls back (the
drivers roll back on any exception, cancellation included), asyncpg asks the server to cancel the
running statement, and a write waiting for SQLite's lock stops waiting. Synchronous work between two
``await``s cannot be interrupted (a SQLite statement runs in the event loop's thread); it is bounded
by the statement limits instead (``DB_STATEMENT_TIMEOUT_MS``, ``SQLITE_BUSY_TIMEOUT_MS``).

Once the response has started, the deadline is lifted: the work is done and what remains is the
client reading it, which a 503 could no longer replace. A ``TimeoutError`` that the app raises by
itself (a driver's own timeout) is not ours and goes on as it is.

The same layer answers a request cancelled from outside before it has answered: the server does
that when it stops and ``SHUTDOWN_GRACE_S`` has run out (RES-6). The caller gets ``503
shutting_down`` with Retry-After rather than the server's bare 500, and the request's task ends
there. (With ``REQUEST_TIMEOUT_S`` under ``SHUTDOWN_GRACE_S``, the defaults, it does not happen:
every request has answered before the grace ends.)
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.web.errors import DEADLINE_EXCEEDED, SHUTTING_DOWN

log = logging.getLogger("mercenary.web")


class DeadlineMiddleware:
    """An ASGI middleware with one job: cancel a request that runs past ``timeout_s`` seconds."""

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.timeout(self.timeout_s)
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not started:  # the response's start: the work is done
                started = True
                deadline.reschedule(None)
            await send(message)

        try:
            async with deadline:
                await self.app(scope, receive, guarded_send)
        except asyncio.CancelledError:
            if started:
                raise
            log.warning("request cancelled before it answered: %s %s", scope["method"], scope["path"])
            detail = "The server is stopping; retry shortly."
            await SHUTTING_DOWN.response(detail, {"Retry-After": "1", "Connection": "close"})(
                scope, receive, send
            )
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # the cancellation is answered: the task ends here
        except TimeoutError:
            if started or not deadline.expired():
                raise
            log.warning(
                "request deadline exceeded: %s %s cancelled after %.3g s",
                scope["method"],
                scope["path"],
                self.timeout_s,
            )
            detail = "The request took too long and was cancelled; retry shortly."
            await DEADLINE_EXCEEDED.response(detail, {"Retry-After": "1"})(scope, receive, send)
