"""JSON responses for payloads shaped at run time (``?fields=``), serialized with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def json_response(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``data`` as ``application/json`` (orjson handles datetimes as RFC 3339)."""
    return Response(
        orjson.dumps(data), status_code=status_code, media_type="application/json", headers=headers
    )


def json_body(body: bytes, status_code: int = 200) -> Response:
    """An already serialized JSON body (e.g. one served from the cache) as it is."""
    return Response(body, status_code=status_code, media_type="application/json")
