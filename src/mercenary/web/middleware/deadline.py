"""A deadline on every request (RES-2): past ``REQUEST_TIMEOUT_S`` the request's work is cancelled
and the caller gets ``503 deadline_exceeded`` with Retry-After, so a slow dependency (a statement
stuck on a lock, a dependency that stopped answering) cannot hold the server's capacity.

How: each request notes its task and its deadline in a dict, and one watcher task per process,
waking every :func:`tick` (a twentieth of the deadline, at most 0.25 s), cancels the tasks whose
deadline has passed. Measured per request (``benchmarks/hardening.py``): ``asyncio.timeout`` around
the call costs about 4 us (a timer armed and disarmed on the event loop), a Task per request more;
the dict costs about half a microsecond. The price is precision: a request is cancelled up to one
tick after its deadline. The watcher stops when no request is running and starts again with the
next one, so an idle process keeps no timer.

Cancelling the request's task unwinds its ``await``s: an open transaction rolls back (the drivers
roll back on any exception, cancellation included), asyncpg asks the server to cancel the running
statement, and a write waiting for SQLite's lock stops waiting. Synchronous work between two
``await``s cannot be interrupted (a SQLite statement runs in the event loop's thread); it is bounded
by the statement limits instead (``DB_STATEMENT_TIMEOUT_MS``, ``SQLITE_BUSY_TIMEOUT_MS``).

An upload route (``slow``) gets ``slow_timeout_s`` instead: its body may take a while to arrive
over a slow link, and reading it is the request's work.

Once the response has started, the deadline is lifted: the work is done and what remains is the
client reading it, which a 503 could no longer replace.

The same layer answers a request cancelled from outside before it has answered: the server does
that when it stops and ``SHUTDOWN_GRACE_S`` has run out (RES-6). The caller gets ``503
shutting_down`` with Retry-After rather than the server's bare 500, and the request's task ends
there. (With ``REQUEST_TIMEOUT_S`` under ``SHUTDOWN_GRACE_S``, the defaults, it does not happen:
every request has answered before the grace ends.)
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from time import monotonic

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.db.deadline import WORK_DEADLINE
from mercenary.web.errors import DEADLINE_EXCEEDED, SHUTTING_DOWN, PageMaker, wants_page

log = logging.getLogger("mercenary.web")

MAX_TICK_S = 0.25


def tick(timeout_s: float) -> float:
    """How often the watcher looks: a twentieth of the deadline, between 5 ms and 0.25 s."""
    return min(max(timeout_s / 20, 0.005), MAX_TICK_S)


def reserve(timeout_s: float) -> float:
    """How long before the deadline a wait for a database lock gives up, so that the request still
    answers ``database_busy`` itself: a tenth of the deadline, between two ticks and 0.5 s."""
    return min(max(timeout_s / 10, 2 * tick(timeout_s)), 0.5)


class DeadlineMiddleware:
    """An ASGI middleware with one job: cancel a request that runs past ``timeout_s`` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        timeout_s: float,
        slow: Callable[[str, str], bool] | None = None,
        slow_timeout_s: float | None = None,
        page: PageMaker | None = None,
    ) -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.slow = slow  # (method, path) -> whether the request gets slow_timeout_s
        self.slow_timeout_s = slow_timeout_s or timeout_s
        self.page = page  # a browser's navigation gets this page's 503 (only the refusal looks)
        self.tick_s = tick(timeout_s)
        self.reserve_s = reserve(timeout_s)
        self.slow_reserve_s = reserve(self.slow_timeout_s)
        self._running: dict[asyncio.Task[object], float] = {}  # request task -> its deadline
        self._expired: set[asyncio.Task[object]] = set()
        self._watcher: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        running, expired = self._running, self._expired
        while running:
            await asyncio.sleep(self.tick_s)
            now = monotonic()
            for task, deadline in list(running.items()):
                if deadline <= now:
                    del running[task]
                    expired.add(task)
                    task.cancel()
        self._watcher = None  # idle: the next request starts a new watcher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        if scope["type"] != "http" or task is None:
            await self.app(scope, receive, send)
            return
        running = self._running
        timeout_s, reserve_s = self.timeout_s, self.reserve_s
        if self.slow is not None and self.slow(scope["method"], scope["path"]):
            timeout_s, reserve_s = self.slow_timeout_s, self.slow_reserve_s
        deadline = monotonic() + timeout_s
        running[task] = deadline
        # Waits for a database lock give up a reserve before the deadline (db/deadline.py).
        work = WORK_DEADLINE.set(deadline - reserve_s)
        if self._watcher is None:
            # In a context of its own: it outlives this request and must not carry its context
            # variables (the request's database clock, say) along.
            self._watcher = asyncio.create_task(self._watch(), context=contextvars.Context())
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not started:  # the response's start: the work is done, the deadline lifted
                started = True
                running.pop(task, None)
            await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except asyncio.CancelledError:
            if started:
                raise
            task.uncancel()  # the cancellation is answered here: the task ends normally
            if task in self._expired:
                log.warning(
                    "request deadline exceeded: %s %s cancelled after %.3g s",
                    scope["method"],
                    scope["path"],
                    timeout_s,
                )
                problem, detail = (
                    DEADLINE_EXCEEDED,
                    "The request took too long and was cancelled; retry shortly.",
                )
                headers = {"Retry-After": "1"}
            else:
                log.warning("request cancelled before it answered: %s %s", scope["method"], scope["path"])
                problem, detail = SHUTTING_DOWN, "The server is stopping; retry shortly."
                headers = {"Retry-After": "1", "Connection": "close"}
            accept = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"accept"), None)
            if self.page is not None and wants_page(scope["path"], accept):
                await self.page(503, headers)(scope, receive, send)
            else:
                await problem.response(detail, headers)(scope, receive, send)
        finally:
            WORK_DEADLINE.reset(work)
            running.pop(task, None)
            self._expired.discard(task)
