"""Read-your-writes across requests with a read replica (DB-8): the caller carries its last commit.

When a request commits, the database layer notes the commit's LSN in the request's read session
(``db/replica.py``); this layer hands it to the caller, signed with ``SECRET_KEY``, as the cookie
``mercenary_rw`` and the header ``Mercenary-Read-After`` (for clients without a cookie jar, which
send it back as a request header). A later request that carries it, on any instance, reads the
primary until the replica has replayed that LSN. It expires after ``READ_YOUR_WRITES_S``.

Why the caller and not the shared cache: a request that did not write and carries nothing costs
nothing here (no Redis round trip to look for the caller's LSN on every read), anonymous callers
are covered as well as signed-in ones, and the signature keeps a caller from pinning its reads to
the primary with a forged LSN. Present only when ``DATABASE_REPLICA_URL`` is set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.db.replica import read_session

COOKIE = "mercenary_rw"
HEADER = "mercenary-read-after"
_HEADER_BYTES = HEADER.encode()


def _mac(key: str, lsn_hex: str) -> str:
    digest = hmac.new(key.encode(), b"rw:" + lsn_hex.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def sign(lsn: int, key: str) -> str:
    """The token for ``lsn``: its hexadecimal form and a MAC."""
    lsn_hex = format(lsn, "x")
    return f"{lsn_hex}.{_mac(key, lsn_hex)}"


def verify(token: str, keys: tuple[str, ...]) -> int:
    """The LSN in ``token`` when one of ``keys`` signed it, else 0 (a bad token is ignored)."""
    lsn_hex, _, mac = token.strip().partition(".")
    if not mac or len(lsn_hex) > 16:
        return 0
    try:
        lsn = int(lsn_hex, 16)
    except ValueError:
        return 0
    if any(hmac.compare_digest(mac, _mac(key, lsn_hex)) for key in keys):
        return lsn
    return 0


def _carried(scope: Scope, keys: tuple[str, ...]) -> int:
    for name, value in scope["headers"]:
        if name == _HEADER_BYTES:
            return verify(value.decode("latin-1"), keys)
        if name == b"cookie" and COOKIE.encode() in value:
            morsel = SimpleCookie(value.decode("latin-1")).get(COOKIE)
            if morsel is not None:
                return verify(morsel.value, keys)
    return 0


class ReadYourWritesMiddleware:
    """Opens each request's read session with the LSN it carries, and hands back a newer one."""

    def __init__(self, app: ASGIApp, keys: tuple[str, ...], max_age_s: int) -> None:
        self.app = app
        self.keys = keys
        self.max_age_s = max_age_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with read_session(_carried(scope, self.keys)) as session:

            async def send_lsn(message: Message) -> None:
                if message["type"] == "http.response.start" and session.committed > session.read_after:
                    token = sign(session.committed, self.keys[0])
                    headers = MutableHeaders(scope=message)
                    headers.append(HEADER, token)
                    headers.append(
                        "set-cookie",
                        f"{COOKIE}={token}; Max-Age={self.max_age_s}; Path=/; HttpOnly; SameSite=Lax",
                    )
                await send(message)

            await self.app(scope, receive, send_lsn)
