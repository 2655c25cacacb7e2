"""The one place that maps errors to HTTP: RFC 9457 ``application/problem+json`` with a stable ``code``."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from mercenary.db.base import DatabaseBusyError
from mercenary.errors import MercenaryError

log = logging.getLogger("mercenary.web")

PROBLEM = "application/problem+json"
HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("not_authenticated", "Not authenticated"),
    403: ("permission_denied", "Permission denied"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_error", "Validation error"),
    500: ("internal_error", "Internal server error"),
}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response."""
    body: dict[str, Any] = {"type": f"about:blank#{code}", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append(
            {
                "field": ".".join(loc[1:]) or loc[0] if loc else "",
                "in": loc[0] if loc else "",
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return out


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(400, "malformed_json", "Malformed JSON", "The request body is not valid JSON.")
    return problem(
        422, "validation_error", "Validation error", "The request has invalid fields.", errors=errors
    )


async def _on_domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MercenaryError)
    return problem(exc.status, exc.code, exc.title, exc.detail, exc.headers or None, **exc.extra)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, title = HTTP_CODES.get(exc.status_code, ("http_error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
    return problem(exc.status_code, code, title, detail, dict(exc.headers) if exc.headers else None)


async def _on_busy(request: Request, exc: Exception) -> Response:
    detail = "The database is busy; retry shortly."
    return problem(503, "database_busy", "Service unavailable", detail, {"Retry-After": "1"})


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal_error", "Internal server error")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(MercenaryError, _on_domain)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DatabaseBusyError, _on_busy)
    app.add_exception_handler(Exception, _on_unexpected)
