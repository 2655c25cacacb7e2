"""Client-visible errors shared by every layer. Each has a stable machine-readable ``code``, an HTTP
``status`` and a ``title``; its docstring says what it means (``docs/errors.md`` is generated from
them). ``web/errors.py`` turns them into ``application/problem+json`` in one place.

A domain keeps its own errors in ``<domain>/errors.py``, subclassing these; ``error_registry.py``
collects them all and checks that every code is unique.
"""

from __future__ import annotations

from typing import Any, ClassVar


class MercenaryError(Exception):
    """The request cannot be read or acted on, and no more specific code applies (none is known
    to happen: a body that is not UTF-8 is ``malformed_json``).

    The base of every error a client may see: a subclass sets ``status``, ``code`` and ``title``,
    and its docstring's first paragraph says what the code means.
    """

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}


class NotFoundError(MercenaryError):
    """The object does not exist, or the caller may not know it does (same answer: SEC-1)."""

    status = 404
    code = "not_found"
    title = "Not found"


class ConflictError(MercenaryError):
    """The request conflicts with the current state (e.g. a duplicate)."""

    status = 409
    code = "conflict"
    title = "Conflict"


class InvalidRequestError(MercenaryError):
    """A well-formed request that breaks a rule the schema cannot express."""

    status = 422
    code = "invalid_request"
    title = "Invalid request"


class AuthenticationError(MercenaryError):
    """Missing, malformed, expired or revoked credentials."""

    status = 401
    code = "not_authenticated"
    title = "Not authenticated"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["WWW-Authenticate"] = "Bearer"


class PermissionDeniedError(MercenaryError):
    """Authenticated, but the role may not do this."""

    status = 403
    code = "permission_denied"
    title = "Permission denied"


class ServiceUnavailableError(MercenaryError):
    """Temporarily unable to serve; retry after ``retry_after`` seconds."""

    status = 503
    code = "service_unavailable"
    title = "Service unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["Retry-After"] = str(retry_after)


class OverloadedError(ServiceUnavailableError):
    """The instance is overloaded (its database pool is saturated, its event loop lags, or its
    memory nears its limit) and refuses heavy requests (search, lists with `include`) first, so
    light ones keep their latency; `reason` says which. Nothing was done: retry after
    `Retry-After` seconds."""

    code = "overloaded"
    title = "Overloaded"


class EmptySearchError(InvalidRequestError):
    """The search text has no searchable words."""

    code = "empty_search"
    title = "Empty search"


class InvalidTokenError(AuthenticationError):
    """The bearer token is malformed, forged, expired, or of the wrong kind."""

    code = "invalid_token"
    title = "Invalid token"


class HasherBusyError(ServiceUnavailableError):
    """Too many password hashes are queued; the client should retry shortly."""

    code = "auth_busy"
    title = "Authentication is busy"


class RateLimitedError(MercenaryError):
    """Too many requests from this client, user or account in the current window (RES-1); retry
    after `Retry-After` seconds. The `RateLimit-*` headers say which limit and when it resets."""

    status = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, headers: dict[str, str], **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers.update(headers)


class IdempotencyKeyReusedError(InvalidRequestError):
    """The `Idempotency-Key` was used before, by this caller, for another request (another body or
    endpoint); use a new key for a new request."""

    code = "idempotency_key_reused"
    title = "Idempotency key reused"


class IdempotencyKeyInFlightError(ConflictError):
    """A request with this `Idempotency-Key` is still being processed; retry after `Retry-After`
    seconds to get its response."""

    code = "idempotency_key_in_flight"
    title = "Request in progress"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["Retry-After"] = "1"


class QueueFullError(ServiceUnavailableError):
    """The job queue this request feeds is over its depth limit (JOB-5); nothing was changed.
    Retry after ``Retry-After`` seconds."""

    code = "queue_full"
    title = "Job queue full"
