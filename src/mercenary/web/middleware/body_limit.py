"""Refuse request bodies over a size limit (RES-2) before the app reads them.

A declared ``Content-Length`` over the limit is answered at once; a chunked body is counted as it
streams and cut off with 413 once it passes the limit. Upload routes (``exempt``) are let through:
they read their body as it streams, against their own cap (``files/multipart.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.web.errors import PAYLOAD_TOO_LARGE


class BodyTooLargeError(Exception):
    """Raised inside ``receive`` when a streamed body passes the limit."""


class BodyLimitMiddleware:
    """An ASGI middleware with one job: cap the request body at ``max_bytes``."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, exempt: Callable[[str, str], bool] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt  # (method, path) -> whether the route caps its own body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            self.exempt is not None and self.exempt(scope["method"], scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        has_body = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    await self._refuse(scope, receive, send)
                    return
                has_body = value != b"0"
                break
            if name == b"transfer-encoding":
                has_body = True
                break
        if not has_body:
            # No Content-Length and no Transfer-Encoding: the request has no body (RFC 9112 §6.3),
            # nothing to count, so the app is called as it is (most requests are GETs).
            await self.app(scope, receive, send)
            return

        seen = 0
        exceeded = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            # The app may turn our error into its own 400 ("error parsing the body"): answer 413 instead.
            nonlocal replaced
            if exceeded:
                if not replaced:
                    replaced = True
                    await self._refuse(scope, receive, send)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLargeError:
            if not replaced:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is larger than {self.max_bytes} bytes."
        response = PAYLOAD_TOO_LARGE.response(detail, {"Connection": "close"})
        await response(scope, receive, send)
