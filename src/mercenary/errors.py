"""Domain errors. Each has a stable machine-readable ``code`` and an HTTP status; ``web/errors.py``
turns them into ``application/problem+json`` in one place."""

from __future__ import annotations

from typing import Any, ClassVar


class MercenaryError(Exception):
    """Base of every error a client may see."""

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
