"""Which routes take uploads, for the layers that treat them apart.

An upload route declares its ``multipart/form-data`` body in the OpenAPI document with
:func:`upload_body` (it reads the body itself, as it streams, so FastAPI must not parse it). From
those routes :class:`UploadRoutes` builds one matcher, which the app gives to the body-limit layer
(an upload's cap is its route's, not ``MAX_BODY_BYTES``) and to the deadline layer (an upload may
take ``UPLOAD_TIMEOUT_S`` to arrive over a slow link, where another request gets ``REQUEST_TIMEOUT_S``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

MULTIPART = "multipart/form-data"


def upload_body(description: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """``openapi_extra`` for an upload route: a required multipart body with a binary ``file`` part
    and optional short text ``fields`` (name -> description)."""
    properties: dict[str, Any] = {"file": {"type": "string", "format": "binary", "description": description}}
    for name, meaning in (fields or {}).items():
        properties[name] = {"type": "string", "maxLength": 1000, "description": meaning}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {"requestBody": {"required": True, "content": {MULTIPART: {"schema": schema}}}}


def is_upload(route: BaseRoute) -> bool:
    """Whether ``route`` declares a multipart upload body (:func:`upload_body`)."""
    if not isinstance(route, APIRoute) or not route.openapi_extra:
        return False
    return MULTIPART in route.openapi_extra.get("requestBody", {}).get("content", {})


class UploadRoutes:
    """The method and path pattern of every upload route."""

    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self._routes: list[tuple[frozenset[str], re.Pattern[str]]] = [
            (frozenset(route.methods or ()), route.path_regex)
            for route in routes
            if isinstance(route, APIRoute) and is_upload(route)
        ]
        # Asked on every request (body limit, deadline): a request whose method no upload route
        # takes (every GET) is answered by one set lookup.
        self._methods = frozenset(m for methods, _ in self._routes for m in methods)

    def __len__(self) -> int:
        return len(self._routes)

    def match(self, method: str, path: str) -> bool:
        """Whether a request for ``method`` ``path`` goes to an upload route."""
        if method not in self._methods:
            return False
        return any(method in methods and regex.match(path) for methods, regex in self._routes)
