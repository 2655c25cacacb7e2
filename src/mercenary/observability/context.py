"""The request being served, as every log line of it should name it (OBS-2).

``web/middleware/observe.py`` opens a :class:`RequestContext` per request; the caller's tenant and
user are filled in once the access token is verified (``web/deps.py``) and the route template once
routing is done. A mutable object in a context variable rather than a variable per field: one
``ContextVar.set`` per request, and what a dependency fills in is seen by the middleware afterwards.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

# A client's X-Request-ID is taken as it is only when it is short and plain (a UUID, a hex id, a
# proxy's "host/seq"): anything else could forge log lines or bloat them, and is replaced.
SANE_ID = re.compile(rb"[A-Za-z0-9._:/+=-]{1,128}")


@dataclass(slots=True)
class RequestContext:
    """Who and what one request is about, for its log lines."""

    request_id: str
    tenant: int | None = None
    user: int | None = None


current: ContextVar[RequestContext | None] = ContextVar("mercenary_request", default=None)


# A made id is this process's random half and a counter: unique across processes and restarts
# (64 random bits each), and no call for randomness per request. An id correlates lines; it is no
# secret, so it need not be unpredictable.
_PREFIX = secrets.token_hex(8).encode()
_serial = itertools.count(1)


def _new_process() -> None:
    global _PREFIX, _serial
    _PREFIX = secrets.token_hex(8).encode()
    _serial = itertools.count(1)


os.register_at_fork(after_in_child=_new_process)  # a forked worker must not repeat its parent's ids


def request_id(header: bytes | None) -> bytes:
    """The request's correlation id: the client's ``X-Request-ID`` when sane, else a new one
    (32 hex digits, as a UUID's)."""
    if header is not None and SANE_ID.fullmatch(header):
        return header
    return b"%s%016x" % (_PREFIX, next(_serial))


def identify(*, tenant: int, user: int) -> None:
    """Note the verified caller on the current request, if there is one."""
    context = current.get()
    if context is not None:
        context.tenant = tenant
        context.user = user
