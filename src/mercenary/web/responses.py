"""JSON responses for payloads shaped at run time (``?fields=``), serialized with orjson."""

from __future__ import annotations

from starlette.responses import Response


def json_body(body: bytes, status_code: int = 200) -> Response:
    """An already serialized JSON body (e.g. one served from the cache) as it is."""
    return Response(body, status_code=status_code, media_type="application/json")
