"""DeadlineMiddleware around stub endpoints: a request past its deadline is cancelled and answered
503 with Retry-After; a response that has started is left alone; a TimeoutError of the app's own is
not mistaken for the deadline. The real routes (a slow statement on each backend) are in
tests/api/test_request_deadline.py."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.web.middleware.deadline import DeadlineMiddleware, tick
from tests.api.helpers import assert_problem


class Slow:
    """An endpoint that waits ``delay`` seconds before answering, noting whether it was cancelled."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.cancelled = False
        self.finished = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.finished = True
        await Response(b'{"ok":true}', media_type="application/json")(scope, receive, send)


async def call(app: ASGIApp, timeout_s: float) -> httpx.Response:
    transport = httpx.ASGITransport(app=DeadlineMiddleware(app, timeout_s=timeout_s))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.get("/slow")


async def test_a_request_past_its_deadline_is_cancelled_and_answered_503() -> None:
    slow = Slow(5.0)
    started = time.perf_counter()
    response = await call(slow, timeout_s=0.1)
    elapsed = time.perf_counter() - started
    problem = assert_problem(response, 503, "deadline_exceeded")
    assert response.headers["retry-after"] == "1"
    assert "cancelled" in problem["detail"]
    assert slow.cancelled and not slow.finished
    assert elapsed < 2.0


async def test_a_browser_past_its_deadline_gets_the_friendly_page_and_the_api_its_problem() -> None:
    from mercenary.pages.render import problem_page

    for path, accept, page in (
        ("/projects/1", "text/html,application/xhtml+xml", True),
        ("/api/v1/projects/1", "text/html", False),  # the API answers problem+json whatever
        ("/projects/1", "application/json", False),
    ):
        slow = Slow(5.0)
        layered = DeadlineMiddleware(slow, timeout_s=0.1, page=problem_page)
        transport = httpx.ASGITransport(app=layered)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get(path, headers={"accept": accept})
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert slow.cancelled
        if page:
            assert response.headers["content-type"].startswith("text/html")
            assert "cancelled" not in response.text  # friendly: never the error's detail
        else:
            assert_problem(response, 503, "deadline_exceeded")


async def test_a_request_within_its_deadline_is_untouched() -> None:
    slow = Slow(0.01)
    response = await call(slow, timeout_s=2.0)
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert slow.finished and not slow.cancelled


async def test_a_started_response_is_not_cut_by_the_deadline() -> None:
    async def streams_slowly(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await asyncio.sleep(0.3)  # past the deadline, but the answer is on its way
        await send({"type": "http.response.body", "body": b"late but whole"})

    response = await call(streams_slowly, timeout_s=0.05)
    assert response.status_code == 200 and response.text == "late but whole"


async def test_the_apps_own_timeout_is_not_the_deadline() -> None:
    async def times_out(scope: Scope, receive: Receive, send: Send) -> None:
        raise TimeoutError("a driver's own timeout")

    with pytest.raises(TimeoutError, match="driver"):
        await call(times_out, timeout_s=5.0)


async def test_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> dict[str, str]:
        return {"type": "lifespan.startup"}

    async def send(message: object) -> None:
        pass

    await DeadlineMiddleware(app, timeout_s=0.01)({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]


async def test_a_request_cancelled_from_outside_is_answered_503_and_ends() -> None:
    """What the server does when its shutdown grace runs out: it cancels the request's task."""
    slow = Slow(5.0)
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/slow", "headers": [], "query_string": b""}
    task = asyncio.create_task(DeadlineMiddleware(slow, timeout_s=10)(scope, receive, send))
    await asyncio.sleep(0.05)
    task.cancel()
    await task  # answered, and ended without raising
    assert not task.cancelled() and slow.cancelled
    assert sent[0]["status"] == 503
    assert (b"retry-after", b"1") in sent[0]["headers"]
    assert b'"code":"shutting_down"' in sent[1]["body"]


async def test_a_cancelled_request_that_has_answered_stays_cancelled() -> None:
    async def answers_then_waits(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(5)

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: object) -> None:
        pass

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b""}
    task = asyncio.create_task(DeadlineMiddleware(answers_then_waits, timeout_s=10)(scope, receive, send))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_only_the_late_request_is_cancelled_and_the_watcher_stops_when_idle() -> None:
    slow, quick = Slow(5.0), Slow(0.02)
    layer = DeadlineMiddleware(Router({"/slow": slow, "/quick": quick}), timeout_s=0.2)
    transport = httpx.ASGITransport(app=layer)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        late, fine = await asyncio.gather(client.get("/slow"), client.get("/quick"))
    assert late.status_code == 503 and fine.status_code == 200
    assert slow.cancelled and quick.finished and not quick.cancelled
    await asyncio.sleep(3 * layer.tick_s)
    assert layer._watcher is None  # no timer left behind in an idle process
    assert not layer._running and not layer._expired


class Router:
    def __init__(self, routes: dict[str, ASGIApp]) -> None:
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.routes[scope["path"]](scope, receive, send)


def test_the_watcher_looks_often_enough_and_not_too_often() -> None:
    assert tick(5.0) == 0.25  # a cancellation comes at most 5 % late
    assert tick(1.0) == 0.05
    assert tick(0.01) == 0.005
