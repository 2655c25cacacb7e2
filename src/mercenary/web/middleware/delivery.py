"""How every response leaves the process (API-4, API-5, API-8), in one pure ASGI middleware.

- ``Server-Timing: app;dur=<ms>, db;dur=<ms>``: the time from this middleware's entry until the
  headers leave (database included), and the part of it spent in statements, summed by the drivers
  into the request's :class:`~mercenary.db.timing.DbClock`.
- ``Cache-Control`` by the route's class, with ``Vary: Authorization`` on personalised responses
  (``cache_policy.py``).
- A strong ``ETag`` on GET and HEAD 200 responses and ``304 Not Modified`` when ``If-None-Match``
  matches it (``validators.py``).
- gzip for bodies of 1 KB or more when the client accepts it, never for credentials
  (``compression.py``), with ``Vary: Accept-Encoding`` on every response that could be compressed.
- The security headers (``security_headers.py``): ``X-Content-Type-Options``, ``Referrer-Policy``,
  ``Content-Security-Policy`` (unless the route set its own) and, over https or with ``hsts``,
  ``Strict-Transport-Security``: precomputed tuples, appended.

One layer rather than four: each layer costs a coroutine frame and a ``send`` wrapper per request,
and the steps depend on each other (the 304 is decided before compressing; the tag depends on the
coding; the timing is taken once the rest is done). The response's start message is held until
its first body message: a body sent whole (every response of this API) is finished at once with no
copy; a streamed one passes through with its headers but no ETag and no compression.

Bodies served from the application cache are the same ``bytes`` object request after request, so
the tag and the gzip coding of bodies of 1 KB or more are remembered per body (a bounded LRU keyed
by the body: Python keeps a ``bytes`` object's hash, so a repeated body costs a dictionary lookup
instead of a SHA-256 and a gzip pass; a new body costs one extra hash of its bytes).
"""

from __future__ import annotations

from collections import OrderedDict
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.db.timing import DbClock, request_clock
from mercenary.web.middleware.cache_policy import NO_STORE, PERSONAL, cache_control, carries_credentials
from mercenary.web.middleware.compression import (
    DEFAULT_LEVEL,
    MIN_BYTES,
    accepts_gzip,
    compressible,
    gzip_bytes,
)
from mercenary.web.middleware.security_headers import (
    ALWAYS,
    API_POLICY,
    CSP,
    HSTS,
    HTML_POLICY,
    is_html,
)
from mercenary.web.middleware.validators import entity_tag, none_match

Headers = list[tuple[bytes, bytes]]
MEMO_ENTRIES = 512
# A 304 keeps what would guide a cache (RFC 9110 §15.4.5) and drops the body's own metadata.
NOT_MODIFIED_DROPS = frozenset({b"content-length", b"content-type", b"content-encoding"})


class DeliveryMiddleware:
    """Timing, caching headers, validators and compression for every HTTP response of ``app``.

    ``gzip_level`` 0 turns compression off (a proxy in front compresses instead); ``hsts`` sends
    ``Strict-Transport-Security`` on every response (TLS ends at a proxy in front), not only on
    those to requests that arrived over https.
    """

    def __init__(self, app: ASGIApp, *, gzip_level: int = DEFAULT_LEVEL, hsts: bool = False) -> None:
        self.app = app
        self.gzip_level = gzip_level
        self.hsts = hsts
        self._always = (*ALWAYS, HSTS) if hsts else ALWAYS
        self._over_https = (*ALWAYS, HSTS)
        # body -> [tag, gzip tag or None, gzipped body or None], most recent last
        self._memo: OrderedDict[bytes, list[bytes | None]] = OrderedDict()

    def _remembered(self, body: bytes) -> list[bytes | None]:
        found = self._memo.get(body)
        if found is None:
            found = self._memo[body] = [None, None, None]
            if len(self._memo) > MEMO_ENTRIES:
                self._memo.popitem(last=False)
        else:
            self._memo.move_to_end(body)
        return found

    def _tag(self, body: bytes, gzip: bool) -> bytes:
        if len(body) < MIN_BYTES:
            return entity_tag(body, gzip=gzip)
        memo = self._remembered(body)
        slot = 1 if gzip else 0
        tag = memo[slot]
        if tag is None:
            tag = memo[slot] = entity_tag(body, gzip=gzip)
        return tag

    def _gzipped(self, body: bytes) -> bytes:
        memo = self._remembered(body)
        coded = memo[2]
        if coded is None:
            coded = memo[2] = gzip_bytes(body, self.gzip_level)
        return coded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        # The observing layer outside opens the clock when it is there (it logs the database time).
        clock = request_clock.get()
        token = None
        if clock is None:
            clock = DbClock()
            token = request_clock.set(clock)
        authorized = False
        accept_encoding = if_none_match = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorized = True
            elif name == b"accept-encoding":
                accept_encoding = value
            elif name == b"if-none-match":
                if_none_match = value
        method: str = scope["method"]
        path: str = scope["path"]
        credentials = carries_credentials(path)
        secure = self._over_https if scope.get("scheme") == "https" else self._always
        held: Message | None = None

        async def deliver(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                held = message
                return
            if held is None:
                await send(message)
                return
            start, held = held, None
            status: int = start["status"]
            raw: Headers = start["headers"]
            content_type: bytes | None = None
            own_policy: bytes | None = None
            own_tag: bytes | None = None
            own_vary: bytes | None = None
            own_csp = False
            coded = False
            for name, value in raw:
                if name == b"content-type":
                    content_type = value
                elif name == b"content-encoding":
                    coded = True
                elif name == b"cache-control":
                    own_policy = value
                elif name == b"etag":
                    own_tag = value
                elif name == b"vary":
                    own_vary = value
                elif name == CSP:
                    own_csp = True
            policy = own_policy or cache_control(
                path, method, status, authorized=authorized, credentials=credentials
            )
            vary = [own_vary] if own_vary else []
            if policy == PERSONAL:
                vary.append(b"Authorization")
            whole = message["type"] == "http.response.body" and not message.get("more_body", False)
            body: bytes = message.get("body", b"") if whole else b""
            gzip = False
            if (
                whole
                and self.gzip_level
                and len(body) >= MIN_BYTES
                and not coded
                and not credentials
                and content_type is not None
                and compressible(content_type)
            ):
                vary.append(b"Accept-Encoding")
                gzip = accepts_gzip(accept_encoding)
            tag = None
            if whole and status == 200 and method in ("GET", "HEAD") and policy != NO_STORE:
                tag = own_tag or self._tag(body, gzip)
                if if_none_match and none_match(if_none_match, tag):
                    status, gzip, body = 304, False, b""
                    message["body"] = b""
            if status == 304:
                headers = [h for h in raw if h[0] not in NOT_MODIFIED_DROPS and h[0] != b"vary"]
            elif gzip:
                body = message["body"] = self._gzipped(body)
                headers = [h for h in raw if h[0] != b"content-length" and h[0] != b"vary"]
                headers += ((b"content-encoding", b"gzip"), (b"content-length", b"%d" % len(body)))
            else:
                headers = [h for h in raw if h[0] != b"vary"] if own_vary else list(raw)
            if own_policy is None:
                headers.append((b"cache-control", policy))
            if tag is not None and own_tag is None:
                headers.append((b"etag", tag))
            if vary:
                headers.append((b"vary", b", ".join(vary)))
            headers += secure
            if not own_csp:
                headers.append(HTML_POLICY if is_html(content_type) else API_POLICY)
            app_ms = (perf_counter() - started) * 1000
            headers.append((b"server-timing", b"app;dur=%.3f, db;dur=%.3f" % (app_ms, clock.seconds * 1000)))
            start["status"] = status
            start["headers"] = headers
            await send(start)
            await send(message)

        try:
            await self.app(scope, receive, deliver)
        finally:
            if token is not None:
                request_clock.reset(token)
