"""Rate limits on every request (RES-1), in one pure ASGI middleware.

It runs before routing, so a refused request costs no parsing, no dependency and no database
work. The caller is recognised from its bearer token through the token service's cache of verified
tokens (a dictionary lookup for a token seen before; an invalid token counts as anonymous, and the
route answers it with 401 as always). One counter is hit per request (``web/limits.py`` says which),
so a request costs one Redis round trip at most with ``redis://``. A refused request gets 429
``rate_limited`` with ``Retry-After``; every counted response carries ``RateLimit-Limit``,
``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds until the window resets).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.errors import InvalidTokenError
from mercenary.web.errors import ErrorCode, PageMaker, wants_page
from mercenary.web.limits import CLIENT_IP, SENSITIVE_PATHS, UNLIMITED_PATHS, RatePolicy, too_many


class RateLimitMiddleware:
    """Counts each request against its class's rule and refuses it past the limit."""

    def __init__(self, app: ASGIApp, policy: RatePolicy, page: PageMaker | None = None) -> None:
        self.app = app
        self.policy = policy
        self.page = page  # a browser's navigation is refused with this page (only refusals look)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policy
        ip = scope[CLIENT_IP] = policy.client_ip(scope)
        path = scope["path"]
        if not policy.enabled or path in UNLIMITED_PATHS or policy.is_exempt(ip):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state.mercenary
        rule, who = policy.anonymous, "ip:" + ip
        if path in SENSITIVE_PATHS:
            rule = policy.sensitive
        else:
            for name, value in scope["headers"]:
                if name == b"authorization":
                    scheme, _, token = value.decode("latin-1").partition(" ")
                    if scheme.lower() == "bearer":
                        try:
                            principal = state.tokens.verify_access(token.strip())
                        except InvalidTokenError:
                            break
                        rule, who = policy.authenticated, f"user:{principal.user_id}"
                    break
        verdict = await state.limiter.hit(rule, who)
        if verdict is None:  # the backend failed: let the request through, uncounted
            await self.app(scope, receive, send)
            return
        if not verdict.allowed:
            error = too_many(verdict, "Too many requests; retry after `Retry-After` seconds.")
            accept = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"accept"), None)
            if self.page is not None and wants_page(path, accept):
                response = self.page(429, error.headers)
            else:
                response = ErrorCode.of(type(error)).response(error.detail, error.headers)
            await response(scope, receive, send)
            return
        extra = verdict.headers()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
