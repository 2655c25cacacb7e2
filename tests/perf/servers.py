"""Small HTTP servers the harness's own tests drive, each on a free loopback port in a thread."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable

from aiohttp import web


class ServerThread:
    """Runs an aiohttp app on 127.0.0.1:<free port> in its own thread and event loop."""

    def __init__(
        self, app: web.Application, on_loop: Callable[[asyncio.AbstractEventLoop], None] | None = None
    ):
        self.app = app
        self.on_loop = on_loop
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        runner = web.AppRunner(self.app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if self.on_loop:
            self.on_loop(loop)
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def trivial_app() -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def fail(request: web.Request) -> web.Response:
        return web.Response(status=503, text="down")

    async def missing(request: web.Request) -> web.Response:
        return web.json_response({"code": "not_found"}, status=404, content_type="application/problem+json")

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("s", "0.05")))
        return web.Response(text="slow")

    app = web.Application()
    app.router.add_get("/", ok)
    app.router.add_get("/health", ok)
    app.router.add_get("/fail", fail)
    app.router.add_get("/missing", missing)
    app.router.add_get("/slow", slow)
    return app


def stalling_server(stall_s: float, period_s: float) -> ServerThread:
    """A server whose whole process freezes for ``stall_s`` every ``period_s`` (like a GC pause)."""

    def schedule(loop: asyncio.AbstractEventLoop) -> None:
        def freeze() -> None:
            time.sleep(stall_s)  # blocks this server's loop: every connection waits
            loop.call_later(period_s - stall_s, freeze)

        loop.call_later(period_s - stall_s, freeze)

    return ServerThread(trivial_app(), on_loop=schedule)


def marketplace_app(every_route: bool = False) -> web.Application:
    """A tiny stand-in for the service's auth/users/projects endpoints (enough for the scenarios).

    With ``every_route``, any other /api/v1 route answers 200 ``{}`` (a service with all routes).
    """
    tokens: dict[str, str] = {}

    async def login(request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("password") != "mercenary-seed":
            return web.json_response({"code": "invalid_credentials"}, status=401)
        token = f"t-{len(tokens)}"
        tokens[token] = body["email"]
        return web.json_response(
            {"access_token": token, "refresh_token": "r", "token_type": "bearer", "expires_in": 900}
        )

    def user_of(request: web.Request) -> str | None:
        return tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "))

    async def me(request: web.Request) -> web.Response:
        email = user_of(request)
        if email is None:
            return web.json_response({"code": "unauthorized"}, status=401)
        return web.json_response({"id": 1, "email": email})

    async def users(request: web.Request) -> web.Response:
        if user_of(request) is None:
            return web.json_response({"code": "unauthorized"}, status=401)
        return web.json_response({"items": [{"id": 1}], "next_cursor": None, "has_more": False})

    async def projects(request: web.Request) -> web.Response:
        page = int(request.query.get("cursor", "0"))
        nxt = str(page + 1) if page < 3 else None
        return web.json_response(
            {
                "items": [{"id": page * 20 + i} for i in range(20)],
                "next_cursor": nxt,
                "has_more": nxt is not None,
            }
        )

    async def health(request: web.Request) -> web.Response:
        return web.Response(text=json.dumps({"status": "ok"}), content_type="application/json")

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_post("/api/v1/auth/login", login)
    app.router.add_get("/api/v1/users/me", me)
    app.router.add_get("/api/v1/users", users)
    app.router.add_get("/api/v1/projects", projects)
    if every_route:

        async def anything(request: web.Request) -> web.Response:
            return web.json_response({}, status=201 if request.method == "POST" else 200)

        app.router.add_route("*", "/api/v1/{tail:.*}", anything)
    return app
