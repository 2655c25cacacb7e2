"""The one place that maps errors to HTTP: RFC 9457 ``application/problem+json`` with a stable ``code``.

Domain errors are :class:`~mercenary.errors.MercenaryError` subclasses and carry their own status,
code and title. The codes the web layer answers by itself (validation, parsing, routing, the
database's busy signal, crashes) are the :class:`ErrorCode` constants below, listed in
:data:`WEB_ERRORS`; ``mercenary.error_registry`` lists both kinds in ``docs/errors.md``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from mercenary.db.base import DatabaseBusyError
from mercenary.errors import (
    AuthenticationError,
    InvalidRequestError,
    MercenaryError,
    NotFoundError,
    PermissionDeniedError,
)
from mercenary.web.methods import allowed_methods
from mercenary.web.middleware import security_headers
from mercenary.web.schemas import MAX_DEPTH

log = logging.getLogger("mercenary.web")
CRASH_HEADERS = {"Cache-Control": "no-store", **security_headers.as_dict()}

PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class ErrorCode:
    """A code a client may receive: its status (None: whatever the framework chose), title and
    meaning."""

    status: int | None
    code: str
    title: str
    meaning: str

    @classmethod
    def of(cls, error: type[MercenaryError]) -> ErrorCode:
        """The code of an error class; its meaning is the docstring's first paragraph."""
        doc = inspect.getdoc(error) or ""
        return cls(error.status, error.code, error.title, " ".join(doc.split("\n\n")[0].split()))

    def response(
        self, detail: str | None = None, headers: dict[str, str] | None = None, **extra: Any
    ) -> Response:
        """This problem as a response."""
        assert self.status is not None
        return problem(self.status, self.code, self.title, detail, headers, **extra)


class InvalidCursorError(MercenaryError):
    """The cursor was not issued by this service, was altered, or belongs to another list."""

    status = 400
    code = "invalid_cursor"
    title = "Invalid cursor"


class UnknownFieldError(InvalidRequestError):
    """``?fields=`` named a field the resource does not have; ``unknown`` and ``allowed`` list them."""

    code = "unknown_field"
    title = "Unknown field"


VALIDATION_ERROR = ErrorCode(
    422,
    "validation_error",
    "Validation error",
    "A parameter or body field is missing, has the wrong type or breaks a constraint of the schema; "
    "`errors` lists each one (`field`, `in`, `message`, `type`). Integers are strict (no `true`, "
    'no `"12"` in a body; plain decimal digits in a path or query). Text carrying control '
    "characters or invisible format characters (bidi controls, zero-width characters, U+2028/9) has "
    "the `type` `control_characters` or `invisible_characters`.",
)
MALFORMED_JSON = ErrorCode(
    400, "malformed_json", "Malformed JSON", "The request body is not valid JSON (or not valid UTF-8)."
)
BODY_TOO_DEEP = ErrorCode(
    400,
    "body_too_deep",
    "Body nested too deeply",
    "The JSON body nests objects and arrays more than 32 levels deep; `max_depth` says the limit.",
)
UNSUPPORTED_MEDIA_TYPE = ErrorCode(
    415,
    "unsupported_media_type",
    "Unsupported media type",
    "The request has a body that is not JSON: send it as `application/json`.",
)
PAYLOAD_TOO_LARGE = ErrorCode(
    413, "payload_too_large", "Payload too large", "The request body is larger than `MAX_BODY_BYTES`."
)
HEADERS_TOO_LARGE = ErrorCode(
    431,
    "headers_too_large",
    "Request header fields too large",
    "The request's headers take more than `HTTP_MAX_HEADER_BYTES` bytes or more than 100 lines; "
    "the server answers before the app sees the request and closes the connection.",
)
METHOD_NOT_ALLOWED = ErrorCode(
    405, "method_not_allowed", "Method not allowed", "The path exists but does not take this HTTP method."
)
DATABASE_BUSY = ErrorCode(
    503,
    "database_busy",
    "Service unavailable",
    "The database could not answer in time (a lock held too long, the statement timeout, a deadlock "
    "or a serialization conflict); nothing was changed. Retry after `Retry-After` seconds.",
)
DATABASE_UNAVAILABLE = ErrorCode(
    503,
    "database_unavailable",
    "Service unavailable",
    "The connection to the database failed or was lost; nothing was changed. Retry after "
    "`Retry-After` seconds.",
)
DEADLINE_EXCEEDED = ErrorCode(
    503,
    "deadline_exceeded",
    "Service unavailable",
    "The request ran past `REQUEST_TIMEOUT_S` (a dependency was slow); its work was cancelled and "
    "its open transaction rolled back. Retry after `Retry-After` seconds.",
)
SHUTTING_DOWN = ErrorCode(
    503,
    "shutting_down",
    "Service unavailable",
    "The process is stopping and the request was still running when its grace period "
    "(`SHUTDOWN_GRACE_S`) ended; its work was cancelled. Retry after `Retry-After` seconds.",
)
INTERNAL_ERROR = ErrorCode(
    500, "internal_error", "Internal server error", "A bug: the server failed unexpectedly (it is logged)."
)
HTTP_ERROR = ErrorCode(
    None,
    "http_error",
    "HTTP error",
    "Any other refusal by the HTTP framework, with the framework's status (none is known to happen).",
)
WEB_ERRORS = (
    VALIDATION_ERROR,
    MALFORMED_JSON,
    BODY_TOO_DEEP,
    UNSUPPORTED_MEDIA_TYPE,
    PAYLOAD_TOO_LARGE,
    HEADERS_TOO_LARGE,
    METHOD_NOT_ALLOWED,
    DATABASE_BUSY,
    DATABASE_UNAVAILABLE,
    DEADLINE_EXCEEDED,
    SHUTTING_DOWN,
    INTERNAL_ERROR,
    HTTP_ERROR,
)
# What the framework's own HTTP errors (routing, an unreadable body) are answered with.
HTTP_CODES = {
    e.status: (e.code, e.title)
    for e in (
        ErrorCode.of(MercenaryError),
        ErrorCode.of(AuthenticationError),
        ErrorCode.of(PermissionDeniedError),
        ErrorCode.of(NotFoundError),
        METHOD_NOT_ALLOWED,
        PAYLOAD_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        VALIDATION_ERROR,
        INTERNAL_ERROR,
    )
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
        # A check of the whole body (``Strict``) names the field it found in its context.
        inner = (err.get("ctx") or {}).get("field")
        if inner and loc:
            loc = [*loc, inner]
        out.append(
            {
                "field": ".".join(loc[1:]) or loc[0] if loc else "",
                "in": loc[0] if loc else "",
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return out


def _body_not_json(exc: RequestValidationError) -> bool:
    # FastAPI hands the endpoint the raw bytes when the Content-Type is not JSON (or missing); the
    # body model then refuses bytes. Only this error path looks, so valid requests pay nothing.
    return any(
        tuple(err.get("loc", ()))[:1] == ("body",) and isinstance(err.get("input"), bytes)
        for err in exc.errors()
    )


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _empty_body_not_json(request: Request, errors: list[dict[str, Any]]) -> bool:
    # An empty body reaches validation as "missing" whatever its Content-Type: one that is not JSON
    # is the client's media type at fault, as for a non-empty body.
    content_type = request.headers.get("content-type")
    return (
        content_type is not None
        and not _is_json(content_type)
        and any(e["in"] == "body" and e["type"] == "missing" for e in errors)
    )


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    if any(e["type"] == "json_invalid" for e in errors):
        return MALFORMED_JSON.response("The request body is not valid JSON.")
    if _body_not_json(exc) or _empty_body_not_json(request, errors):
        return UNSUPPORTED_MEDIA_TYPE.response("Send the request body as `application/json`.")
    if any(e["type"] == "body_too_deep" for e in errors):
        return _too_deep()
    return VALIDATION_ERROR.response("The request has invalid fields.", errors=errors)


def _too_deep() -> Response:
    return BODY_TOO_DEEP.response(
        f"The body nests more than {MAX_DEPTH} levels of objects and arrays.", max_depth=MAX_DEPTH
    )


async def _on_domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MercenaryError)
    return problem(exc.status, exc.code, exc.title, exc.detail, exc.headers or None, **exc.extra)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's "error parsing the body", raised from what went wrong while decoding it.
        if isinstance(exc.__cause__, UnicodeDecodeError):
            return MALFORMED_JSON.response("The request body is not valid UTF-8.")
        if isinstance(exc.__cause__, RecursionError):
            return _too_deep()
    if exc.status_code == 405:
        return METHOD_NOT_ALLOWED.response(
            f"{request.method} is not allowed here.", {"Allow": allowed_methods(request)}
        )
    code, title = HTTP_CODES.get(exc.status_code, (HTTP_ERROR.code, HTTP_ERROR.title))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
    return problem(exc.status_code, code, title, detail, dict(exc.headers) if exc.headers else None)


async def _on_busy(request: Request, exc: Exception) -> Response:
    return DATABASE_BUSY.response("The database is busy; retry shortly.", {"Retry-After": "1"})


# A friendly HTML page for a status (and headers), for browsers that navigate outside the API.
PageMaker = Callable[[int, dict[str, str] | None], Response]


def wants_page(path: str, accept: str | None) -> bool:
    """Whether a refusal of ``path`` should be a page: a browser's navigation (``Accept`` naming
    ``text/html``) to anything but the API, which answers problem+json whatever the client accepts."""
    return accept is not None and "text/html" in accept and not path.startswith("/api/")


def install(app: FastAPI, *, page: PageMaker | None = None) -> None:
    """Register the handlers on ``app``. What none of them handles is answered by
    ``web/middleware/protocol.py`` (``crash_response``). With ``page``, a browser asking for a path
    no route serves gets that page's 404 instead of a problem."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(MercenaryError, _on_domain)
    if page is None:
        app.add_exception_handler(StarletteHTTPException, _on_http)
    else:

        async def on_http(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, StarletteHTTPException)
            if exc.status_code == 404 and wants_page(request.url.path, request.headers.get("accept")):
                return page(404, None)
            return await _on_http(request, exc)

        app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(DatabaseBusyError, _on_busy)
