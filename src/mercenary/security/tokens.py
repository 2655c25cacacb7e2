"""Access tokens (short-lived JWTs, HS256 pinned) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import time

import jwt

from mercenary.errors import InvalidTokenError
from mercenary.security.principal import Principal

ALGORITHM = "HS256"


class TokenService:
    """Issues and verifies access tokens with the service's secret key."""

    def __init__(self, secret: str, access_ttl_s: int) -> None:
        self._key = hashlib.sha256(b"jwt:" + secret.encode()).hexdigest()
        self.access_ttl_s = access_ttl_s

    def issue_access(self, principal: Principal) -> str:
        """A signed access token for ``principal``, valid for ``access_ttl_s`` seconds."""
        now = int(time.time())
        claims = {
            "sub": str(principal.user_id),
            "tid": principal.tenant_id,
            "role": principal.role,
            "typ": "access",
            "iat": now,
            "exp": now + self.access_ttl_s,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify_access(self, token: str) -> Principal:
        """The principal inside a valid access token; raises :class:`InvalidTokenError` otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "iat", "sub", "typ"]},
                leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise InvalidTokenError("The access token has expired.") from None
        except jwt.PyJWTError:
            raise InvalidTokenError("The access token is not valid.") from None
        if claims.get("typ") != "access" or int(claims["iat"]) > time.time() + 5:
            raise InvalidTokenError("The access token is not valid.")
        try:
            return Principal(int(claims["sub"]), int(claims["tid"]), str(claims["role"]))
        except (KeyError, TypeError, ValueError):
            raise InvalidTokenError("The access token is not valid.") from None


def new_refresh_token() -> str:
    """A fresh opaque refresh token (256 bits)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a refresh token is stored (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()
