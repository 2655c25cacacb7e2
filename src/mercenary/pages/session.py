"""Cookie sessions for the pages, bound to the API's own tokens, and the forms' CSRF check.

A page session is the API's token pair kept in two cookies: the access token (a JWT, verified
without a database read, exactly as the API verifies a ``Bearer`` header) and the refresh token.
When the access token has expired the refresh token is rotated through ``auth.service`` (reusing a
rotated one revokes its family, as on the API), so a page session lives and dies with the API's
session: log-out revokes the same family. Both cookies are ``HttpOnly`` and ``SameSite=Lax`` (sent on
top-level navigation only, never by another site's form post or script), and ``Secure`` when the
request arrived over https or ``HSTS`` says TLS ends at a proxy.

CSRF: every form carries a token, HMAC-SHA256 of the browser's random nonce (its own cookie) and the
signed-in user, under a key derived from ``SECRET_KEY``. A post must carry the token matching its
cookie (a double-submit bound to the user and signed, so a planted nonce cookie does not help), and
an ``Origin`` header, when the browser sends one, must be this site. ``SameSite=Lax`` already keeps
the session cookies off cross-site posts; the token covers the sign-in forms and older browsers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.responses import Response

from mercenary.auth.errors import InvalidRefreshTokenError
from mercenary.auth.service import Auth
from mercenary.errors import InvalidTokenError
from mercenary.pages.errors import CsrfFailedError
from mercenary.security.principal import Principal
from mercenary.state import AppState

ACCESS_COOKIE = "mercenary_access"
REFRESH_COOKIE = "mercenary_refresh"
CSRF_COOKIE = "mercenary_csrf"
CSRF_FIELD = "csrf"
NONCE_BYTES = 16


def state_of(request: Request) -> AppState:
    """The app's state."""
    state: AppState = request.app.state.mercenary
    return state


@dataclass
class PageSession:
    """Who is looking at a page (``principal`` None for a visitor), and the cookies the answer must
    set or clear (a rotated token pair, a first CSRF nonce, a log-out)."""

    request: Request
    state: AppState
    principal: Principal | None
    nonce: str | None
    cookies: list[tuple[str, str | None, int]] = field(default_factory=list)
    # Whether the page shows a form token: it is then this browser's own page, never a shared one.
    personal: bool = False

    @property
    def secure(self) -> bool:
        """Whether cookies get ``Secure`` (https, or TLS ended at a proxy in front)."""
        return self.request.url.scheme == "https" or self.state.settings.HSTS

    def _key(self) -> bytes:
        return hashlib.sha256(b"csrf:" + self.state.settings.SECRET_KEY.encode()).digest()

    def csrf_token(self) -> str:
        """The token this page's forms carry (a nonce cookie is set with the answer if missing)."""
        self.personal = True
        if self.nonce is None:
            self.nonce = secrets.token_urlsafe(NONCE_BYTES)
            self.cookies.append((CSRF_COOKIE, self.nonce, self.state.settings.REFRESH_TOKEN_TTL_S))
        user = "" if self.principal is None else str(self.principal.user_id)
        message = f"{self.nonce}|{user}".encode()
        return hmac.new(self._key(), message, hashlib.sha256).hexdigest()

    def check_csrf(self, form: dict[str, str]) -> None:
        """Refuse a post without this session's token, or from another site."""
        origin = self.request.headers.get("origin")
        if origin is not None and origin != _own_origin(self.request):
            raise CsrfFailedError("The form was posted from another site.")
        sent = form.get(CSRF_FIELD, "")
        if self.nonce is None or not hmac.compare_digest(sent, self.csrf_token()):
            raise CsrfFailedError("The form has expired; reload the page and send it again.")

    def sign_in(self, pair: dict[str, Any]) -> None:
        """Keep a token pair in the cookies (and a fresh nonce: the forms of the visitor expire)."""
        ttl = self.state.settings.REFRESH_TOKEN_TTL_S
        self.cookies.append((ACCESS_COOKIE, pair["access_token"], ttl))
        self.cookies.append((REFRESH_COOKIE, pair["refresh_token"], ttl))
        self.principal = self.state.tokens.verify_access(pair["access_token"])
        self.nonce = None

    def sign_out(self) -> None:
        """Clear the session's cookies."""
        self.cookies += [(ACCESS_COOKIE, None, 0), (REFRESH_COOKIE, None, 0)]
        self.principal = None

    def apply(self, response: Response) -> None:
        """Write the pending cookies on ``response``."""
        for name, value, max_age in self.cookies:
            if value is None:
                response.delete_cookie(name, path="/", secure=self.secure, httponly=True, samesite="lax")
            else:
                response.set_cookie(
                    name, value, max_age=max_age, path="/", secure=self.secure, httponly=True, samesite="lax"
                )


def _own_origin(request: Request) -> str:
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}"


async def page_session(request: Request) -> PageSession:
    """The page's session from its cookies; an expired access token is renewed with the refresh
    token (a revoked or unknown one ends the session)."""
    state = state_of(request)
    cookies = request.cookies
    session = PageSession(request, state, None, cookies.get(CSRF_COOKIE) or None)
    access = cookies.get(ACCESS_COOKIE)
    if access:
        try:
            session.principal = state.tokens.verify_access(access)
        except InvalidTokenError:
            refresh = cookies.get(REFRESH_COOKIE)
            if refresh:
                try:
                    pair = await Auth(state.db, state.hasher, state.tokens, state.settings).refresh(refresh)
                except InvalidRefreshTokenError:
                    session.sign_out()
                else:
                    session.sign_in(pair)
                    session.nonce = cookies.get(CSRF_COOKIE) or None
            else:
                session.sign_out()
    return session
