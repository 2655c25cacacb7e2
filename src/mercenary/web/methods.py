"""The ``Allow`` header of a 405: Starlette names only the methods of the first route that matched
the path, so a path served by several routes (GET and PATCH on one, DELETE on another) listed some
of its methods only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Match

# The methods a 405 may list; HEAD follows GET (``web/middleware/protocol.py``).
_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """The ``Allow`` header of a 405: every method some route takes on the request's path (Starlette
    names only the first route that matched the path), HEAD wherever GET is. Each method is tried
    against the routing table; only a 405 pays for it."""
    routes = request.app.router.routes
    allowed = [
        m
        for m in _METHODS
        if any(route.matches({**request.scope, "method": m})[0] is Match.FULL for route in routes)
    ]
    if "GET" in allowed:
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    return ", ".join(allowed)
