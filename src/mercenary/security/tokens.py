"""Access tokens (short-lived JWTs, HS256 pinned, signed by key id) and opaque refresh tokens.

An access token carries ``kid`` in its header: the id of the key that signed it, derived from the
key itself (``key_id``), so configuration holds secrets only. The service signs with the current
key (``SECRET_KEY``) and verifies with it or with any older key still configured
(``SECRET_KEYS_OLD``): after a rotation, tokens signed before it keep working until they expire,
and once an old key is removed every token it signed is refused. A ``kid`` that names no key
(another service's token, a retired key) is refused before any signature is checked.

Every claim is checked: the algorithm (``alg: none`` and any other are refused), ``exp`` and
``iat`` (with :data:`LEEWAY_S`), ``iss`` and ``aud`` (a token minted for another audience with the
same key is refused), and ``typ``, which must be ``access``. Refresh tokens are not JWTs at all but
random strings known to the database by digest: one presented as an access token fails to parse, and
:func:`looks_like_jwt` lets the refresh endpoint refuse an access token by name. They are opaque on
purpose: the server can revoke them (rotation with reuse detection, log-out), and a key rotation
does not log anyone out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from collections.abc import Sequence

import jwt
import orjson
from cachetools import LRUCache

from mercenary.errors import InvalidTokenError
from mercenary.security.principal import Principal

ALGORITHM = "HS256"
LEEWAY_S = 5
ACCESS = "access"
# Verified tokens remembered per process: a client sends the same access token on every request for
# its 15-minute life, and checking its HS256 signature and claims again each time was about a fifth
# of a by-id read's CPU. Only tokens that passed every check are kept, with their expiry, which is
# checked again on every hit; the bound caps the memory (about 1 MB at 4,096 tokens). The cache
# belongs to one TokenService, whose keys never change: a key set without a retired key is a new
# service (a restart) with an empty cache, so no token of a retired key is ever served from it.
VERIFIED_TOKENS = 4_096


def key_id(secret: str) -> str:
    """The public id of ``secret`` (``kid``): a digest that names the key without revealing it."""
    return hashlib.sha256(b"kid:" + secret.encode()).hexdigest()[:16]


def _kid(token: str) -> str | None:
    """The ``kid`` of the token's header, unverified (None if unreadable). Read here rather than
    with ``jwt.get_unverified_header``, which parses and checks the whole token: the verification
    that follows does that once more, and the two passes nearly doubled the cost of a new token."""
    head = token[: token.find(".")]
    try:
        header = orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def looks_like_jwt(token: str) -> bool:
    """Whether ``token`` has a JWT's three dot-separated parts (refresh tokens have no dot)."""
    return token.count(".") == 2


class TokenService:
    """Issues access tokens with the first of ``secrets`` and verifies them with any of them."""

    def __init__(
        self,
        secrets: str | Sequence[str],
        access_ttl_s: int,
        *,
        issuer: str = "mercenary",
        audience: str = "mercenary-api",
    ) -> None:
        keys = [secrets] if isinstance(secrets, str) else list(secrets)
        if not keys:
            raise ValueError("a TokenService needs at least one key")
        # kid -> HMAC key; the signing key's derivation is unchanged, so it stays the same key.
        self._keys = {key_id(k): hashlib.sha256(b"jwt:" + k.encode()).hexdigest() for k in keys}
        self._kid = key_id(keys[0])
        self.access_ttl_s = access_ttl_s
        self.issuer = issuer
        self.audience = audience
        self._verified: LRUCache[str, tuple[Principal, int]] = LRUCache(VERIFIED_TOKENS)

    def issue_access(self, principal: Principal) -> str:
        """A signed access token for ``principal``, valid for ``access_ttl_s`` seconds."""
        now = int(time.time())
        claims = {
            "sub": str(principal.user_id),
            "tid": principal.tenant_id,
            "role": principal.role,
            "typ": ACCESS,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + self.access_ttl_s,
        }
        return jwt.encode(claims, self._keys[self._kid], algorithm=ALGORITHM, headers={"kid": self._kid})

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
        if not looks_like_jwt(token):
            raise InvalidTokenError("The access token is not valid.")
        kid = _kid(token)
        key = None if kid is None else self._keys.get(kid)
        if key is None:
            raise InvalidTokenError("The access token was not signed by this service.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "iat", "sub", "typ", "iss", "aud"]},
                issuer=self.issuer,
                audience=self.audience,
                leeway=LEEWAY_S,
            )
        except jwt.ExpiredSignatureError:
            raise InvalidTokenError("The access token has expired.") from None
        except jwt.PyJWTError:
            raise InvalidTokenError("The access token is not valid.") from None
        if claims.get("typ") != ACCESS:
            raise InvalidTokenError("This is not an access token.")
        if int(claims["iat"]) > time.time() + LEEWAY_S:
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
