"""Deterministic checks on the request path (timing lives in the harness, not here).

FastAPI runs a plain ``def`` endpoint or dependency in a worker thread: a thread hop per request for
work that never blocks. Every route and dependency of the API must be ``async def``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute

from mercenary.app import create_app
from mercenary.settings import Settings


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from api_routes(list(nested.routes))


def calls(dependant: Any) -> Iterator[Any]:
    if dependant.call is not None:
        yield dependant.call
    for dep in dependant.dependencies:
        yield from calls(dep)


def test_every_endpoint_and_dependency_is_async() -> None:
    routes = list(api_routes(list(create_app(Settings()).routes)))
    assert len(routes) > 30
    sync = sorted(
        {
            f"{fn.__module__}.{fn.__qualname__}"
            for r in routes
            for fn in calls(r.dependant)
            if not inspect.iscoroutinefunction(fn)
        }
    )
    assert sync == []
