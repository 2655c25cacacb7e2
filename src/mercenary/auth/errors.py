"""The auth domain's client-visible errors (codes listed in ``docs/errors.md``)."""

from __future__ import annotations

from mercenary.errors import AuthenticationError, ConflictError, InvalidTokenError


class EmailTakenError(ConflictError):
    """An account with this e-mail address exists."""

    code = "email_taken"
    title = "E-mail already registered"


class InvalidCredentialsError(AuthenticationError):
    """Wrong e-mail or password (deliberately not saying which)."""

    code = "invalid_credentials"
    title = "Invalid credentials"


class InvalidRefreshTokenError(InvalidTokenError):
    """The refresh token is unknown, expired, revoked, or was reused after rotation."""

    code = "invalid_refresh_token"
    title = "Invalid refresh token"
