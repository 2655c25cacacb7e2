"""The OpenAPI document, telling the truth about errors and auth.

FastAPI documents an operation's success response and a 422 in its own ``HTTPValidationError``
shape. :func:`install` replaces ``app.openapi`` with a function that builds FastAPI's document once
(never per request) and then gives every operation each error status it can answer, with the real
body: ``application/problem+json`` in the ``Problem`` shape, its ``code`` one of those the status
may carry (listed with their meaning in the description; ``docs/errors.md`` has them all). The
statuses and codes come from two places:

1. The route's signature, read the same way for every route so none can be forgotten:

   - any parameter or body: 422 ``validation_error``;
   - a body: 400 ``malformed_json`` / ``body_too_deep`` / ``bad_request``, 413
     ``payload_too_large`` and 415 ``unsupported_media_type``;
   - a path parameter (an id): 404, with the route's own not-found codes or else ``not_found``;
   - a ``fields`` query parameter: 422 ``unknown_field``; a ``cursor`` query parameter: 400
     ``invalid_cursor``;
   - the ``SignedIn`` dependency: 401 ``not_authenticated`` / ``invalid_token``, and the
     operation's ``security`` names the ``bearerAuth`` scheme;
   - the ``State`` or ``SignedIn`` dependency (the database): 503 ``database_busy``,
     ``database_unavailable``, ``deadline_exceeded`` and ``shutting_down``
     (``middleware/deadline.py``: an operation that waits on no dependency cannot run past a
     deadline or a shutdown's grace);
   - the ``Idempotent`` dependency: 409 ``idempotency_key_in_flight`` and 422
     ``idempotency_key_reused``;
   - every operation but the health checks: 429 ``rate_limited`` (the rate-limit middleware).

2. What the use case raises beyond that, declared beside the handler with ``@raises(ErrorClass,
   ...)``: a role check's 403, conflicts' 409, a domain's own 404 and 422 codes, 401 and 503 of
   the auth use cases. The decorator only records the classes on the function.

Responses a route declares itself (``responses=``) are kept as they are. The responses that answer
a new id carry OpenAPI ``links`` to the operations on it (:data:`LINKS`). The bearer scheme is
documentation only: authentication stays in ``web/deps.py`` (``HTTPBearer`` would change its answers).
``tests/api/test_openapi_conformance.py`` sends generated requests to every operation and fails on
any status, content type or body the document does not describe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute

from mercenary.errors import (
    AuthenticationError,
    IdempotencyKeyInFlightError,
    IdempotencyKeyReusedError,
    InvalidTokenError,
    MercenaryError,
    NotFoundError,
    RateLimitedError,
)
from mercenary.web.deps import get_state, signed_in
from mercenary.web.errors import (
    BODY_TOO_DEEP,
    DATABASE_BUSY,
    DATABASE_UNAVAILABLE,
    DEADLINE_EXCEEDED,
    MALFORMED_JSON,
    PAYLOAD_TOO_LARGE,
    PROBLEM,
    SHUTTING_DOWN,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_ERROR,
    ErrorCode,
    InvalidCursorError,
    UnknownFieldError,
)
from mercenary.web.idempotency import idempotency
from mercenary.web.limits import UNLIMITED_PATHS

F = TypeVar("F", bound=Callable[..., Any])
_RAISES = "__mercenary_raises__"
SECURITY_SCHEME = "bearerAuth"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem. `code` is stable; docs/errors.md lists every code.",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string", "description": "`about:blank#<code>`"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object"},
            "description": "Per-field (`validation_error`) or per-item (`batch_*`) errors.",
        },
    },
    "additionalProperties": True,
}
HEADERS = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {"description": "Seconds until the window resets.", "schema": {"type": "string"}},
        "RateLimit-Limit": {"description": "Requests allowed per window.", "schema": {"type": "string"}},
        "RateLimit-Remaining": {"description": "Requests left in the window.", "schema": {"type": "string"}},
        "RateLimit-Reset": {"description": "Seconds until the window resets.", "schema": {"type": "string"}},
    },
    503: {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}}},
}


def raises(*errors: type[MercenaryError]) -> Callable[[F], F]:
    """Declare the errors a handler's use case may raise beyond what its signature tells."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, _RAISES, errors)
        return endpoint

    return mark


def _tree(dependant: Dependant) -> list[Dependant]:
    """The route's dependant and every dependency below it."""
    found, pending = [], [dependant]
    while pending:
        d = pending.pop()
        found.append(d)
        pending.extend(d.dependencies)
    return found


def _calls(dependant: Dependant) -> set[Any]:
    return {d.call for d in _tree(dependant)}


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[RouteContext]:
    """The documented API routes, as included (with their routers' prefixes)."""
    for route in iter_route_contexts(list(routes)):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            yield route


def error_codes(route: RouteContext) -> dict[int, list[ErrorCode]]:
    """The error statuses ``route`` can answer and the codes each may carry (rules: module docstring)."""
    tree = _tree(route.dependant)
    calls = {d.call for d in tree}
    path = [p for d in tree for p in d.path_params]
    query = [p for d in tree for p in d.query_params]
    others = [p for d in tree for p in (*d.header_params, *d.cookie_params)]
    body = route.body_field is not None
    declared = [ErrorCode.of(cls) for cls in getattr(route.endpoint, _RAISES, ())]
    found: list[ErrorCode] = []
    if body or path or query or others:
        found.append(VALIDATION_ERROR)
    if body:
        found += [
            MALFORMED_JSON,
            BODY_TOO_DEEP,
            ErrorCode.of(MercenaryError),
            PAYLOAD_TOO_LARGE,
            UNSUPPORTED_MEDIA_TYPE,
        ]
    if path and not any(e.status == 404 for e in declared):
        found.append(ErrorCode.of(NotFoundError))
    if any(p.name == "fields" for p in query):
        found.append(ErrorCode.of(UnknownFieldError))
    if any(p.name == "cursor" for p in query):
        found.append(ErrorCode.of(InvalidCursorError))
    if signed_in in calls:
        found += [ErrorCode.of(AuthenticationError), ErrorCode.of(InvalidTokenError)]
    if get_state in calls or signed_in in calls:
        found += [DATABASE_BUSY, DATABASE_UNAVAILABLE, DEADLINE_EXCEEDED, SHUTTING_DOWN]
    if idempotency in calls:
        found += [ErrorCode.of(IdempotencyKeyInFlightError), ErrorCode.of(IdempotencyKeyReusedError)]
    if route.path_format not in UNLIMITED_PATHS:
        found.append(ErrorCode.of(RateLimitedError))
    by_status: dict[int, list[ErrorCode]] = {}
    for e in [*found, *declared]:
        assert e.status is not None
        if e not in by_status.setdefault(e.status, []):
            by_status[e.status].append(e)
    return dict(sorted(by_status.items()))


def _response(status: int, codes: list[ErrorCode]) -> dict[str, Any]:
    lines = "\n".join(f"- `{e.code}`: {e.meaning}" for e in codes)
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {"properties": {"status": {"const": status}, "code": {"enum": [e.code for e in codes]}}},
        ]
    }
    response: dict[str, Any] = {
        "description": f"{HTTPStatus(status).phrase}. Codes:\n\n{lines}",
        "content": {PROBLEM: {"schema": schema}},
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def describe(doc: dict[str, Any], routes: Iterable[BaseRoute]) -> dict[str, Any]:
    """``doc`` (FastAPI's document for ``routes``) with every operation's errors and security."""
    for route in api_routes(routes):
        own = {str(status) for status in route.responses}
        secured = signed_in in _calls(route.dependant)
        for method in route.methods or ():
            operation = doc["paths"][route.path_format][method.lower()]
            # FastAPI's own 422 goes; success responses and those the route declares stay.
            responses = {k: v for k, v in operation["responses"].items() if k in own or k < "400"}
            for status, codes in error_codes(route).items():
                responses.setdefault(str(status), _response(status, codes))
            operation["responses"] = dict(sorted(responses.items()))
            if secured:
                operation["security"] = [{SECURITY_SCHEME: []}]
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The `access_token` from `/api/v1/auth/signup`, `/login` or `/refresh`.",
        }
    }
    return doc


# OpenAPI links (SEC-2): where the id a write answers with leads, so that a client (and the stateful
# fuzzer) can follow a creation to the operations on what it created. Keyed by the operation and
# status that answer the id; each link names its target by method and path, and fills the target's
# path parameter from the response body (or the request's path).
V1 = "/api/v1"
Link = tuple[str, str, dict[str, str]]  # the target's method, path, and its parameters' sources


def _to(parameter: str, source: str, *targets: tuple[str, str, str]) -> dict[str, Link]:
    """Links named by ``targets`` (name, method, path under /api/v1), each filling ``parameter``
    from ``source`` (a runtime expression)."""
    return {name: (method, V1 + path, {parameter: source}) for name, method, path in targets}


_PROJECT = ("project_id", "$response.body#/id")
_PROPOSAL = ("proposal_id", "$response.body#/id")
_REVIEWEE = ("user_id", "$response.body#/reviewee_id")
LINKS: dict[tuple[str, str, str], dict[str, Link]] = {
    ("post", f"{V1}/projects", "201"): _to(
        *_PROJECT,
        ("GetProject", "get", "/projects/{project_id}"),
        ("UpdateProject", "patch", "/projects/{project_id}"),
        ("DeleteProject", "delete", "/projects/{project_id}"),
        ("SubmitProposal", "post", "/projects/{project_id}/proposals"),
        ("ListProposals", "get", "/projects/{project_id}/proposals"),
    ),
    ("post", f"{V1}/projects/{{project_id}}/proposals", "201"): _to(
        *_PROPOSAL,
        ("GetProposal", "get", "/proposals/{proposal_id}"),
        ("AcceptProposal", "post", "/proposals/{proposal_id}/accept"),
        ("RejectProposal", "post", "/proposals/{proposal_id}/reject"),
        ("WithdrawProposal", "post", "/proposals/{proposal_id}/withdraw"),
    ),
    ("post", f"{V1}/skills", "201"): _to(
        "skill_id",
        "$response.body#/id",
        ("UpdateSkill", "patch", "/skills/{skill_id}"),
        ("DeleteSkill", "delete", "/skills/{skill_id}"),
    ),
    ("post", f"{V1}/reviews", "201"): _to(
        *_REVIEWEE,
        ("RevieweeReviews", "get", "/users/{user_id}/reviews"),
        ("RevieweeRating", "get", "/users/{user_id}/rating"),
    ),
    ("post", f"{V1}/auth/signup", "201"): _to(
        "user_id",
        "$response.body#/user/id",
        ("GetUser", "get", "/users/{user_id}"),
        ("GetProfile", "get", "/freelancers/{user_id}/profile"),
    ),
    ("put", f"{V1}/freelancers/{{user_id}}/profile", "200"): _to(
        "user_id", "$request.path.user_id", ("GetProfile", "get", "/freelancers/{user_id}/profile")
    ),
}


def add_links(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with :data:`LINKS` on the responses they start from (targets by ``operationId``)."""
    paths = doc["paths"]
    for (method, path, status), links in LINKS.items():
        response = paths[path][method]["responses"][status]
        response["links"] = {
            name: {
                "operationId": paths[target_path][target_method]["operationId"],
                "parameters": parameters,
            }
            for name, (target_method, target_path, parameters) in links.items()
        }
    return doc


def install(app: FastAPI) -> None:
    """Serve the described document as ``app.openapi()`` (built on first use, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(describe(FastAPI.openapi(app), app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
