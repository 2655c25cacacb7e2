"""Access tokens (short-lived JWTs, HS256 pinned) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import time

import jwt
from cachetools import LRUCache

from mercenary.errors import InvalidTokenError
from mercenary.security.principal import Principal

ALGORITHM = "HS256"
LEEWAY_S = 5
# Verified tokens remembered per process: a client sends the same access token on every request for
# its 15-minute life, and checking its HS256 signature and claims again each time was about a fifth
# of a by-id read's CPU. Only tokens that passed every check are kept, with their expiry, which is
# checked again on every hit; the bound caps the memory (about 1 MB at 4,096 tokens).
VERIFIED_TOKENS = 4_096


class TokenService:
    """Issues and verifies access tokens with the service's secret key."""

    def __init__(self, secret: str, access_ttl_s: int) -> None:
        self._key = hashlib.sha256(b"jwt:" + secret.encode()).hexdigest()
        self.access_ttl_s = access_ttl_s
        self._verified: LRUCache[str, tuple[Principal, int]] = LRUCache(VERIFIED_TOKENS)

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
        known = self._verified.get(token)
        if known is not None:
            if time.time() <= known[1] + LEEWAY_S:
                return known[0]
            del self._verified[token]
            raise InvalidTokenError("The access token has expired.")
        principal, expires = self._verify(token)
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, int]:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "iat", "sub", "typ"]},
                leeway=LEEWAY_S,
            )
        except jwt.ExpiredSignatureError:
            raise InvalidTokenError("The access token has expired.") from None
        except jwt.PyJWTError:
            raise InvalidTokenError("The access token is not valid.") from None
        if claims.get("typ") != "access" or int(claims["iat"]) > time.time() + LEEWAY_S:
            raise InvalidTokenError("The access token is not valid.")
        try:
            principal = Principal(int(claims["sub"]), int(claims["tid"]), str(claims["role"]))
            return principal, int(claims["exp"])
        except (KeyError, TypeError, ValueError):
            raise InvalidTokenError("The access token is not valid.") from None


def new_refresh_token() -> str:
    """A fresh opaque refresh token (256 bits)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a refresh token is stored (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()
