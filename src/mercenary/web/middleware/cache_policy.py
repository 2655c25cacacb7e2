"""Which ``Cache-Control`` a response gets, by the class of its route (API-5), and which responses
carry credentials (never compressed, never stored). ``docs/http.md`` explains each choice.

Classes, the first that applies wins:

1. an error (status >= 400): ``no-store``. A problem body describes one request at one moment; a
   cache that kept a 404 or a 409 would hide the resource once it exists or the conflict is gone.
2. a response that carries credentials (:func:`carries_credentials`: the token endpoints, the
   organization with its invitation code): ``no-store`` (RFC 6749 §5.1 asks this of token responses).
3. a public route (:data:`PUBLIC`): the same for everyone, whoever asks. Probes must reach the
   process: ``public, no-cache``. The OpenAPI document and the docs pages change only with a
   deployment: ``public, max-age=300``.
4. a request with ``Authorization``: personalised, ``private, no-cache`` and ``Vary: Authorization``.
   A browser may keep it and must revalidate it (the ETag makes that a 304); a shared cache may not
   keep it at all.
5. anything else served without a caller: ``public, no-cache`` for GET and HEAD (kept, always
   revalidated: a route added later cannot serve stale data by accident), ``no-store`` otherwise.
"""

from __future__ import annotations

NO_STORE = b"no-store"
PERSONAL = b"private, no-cache"
PROBE = b"public, no-cache"
DOCUMENT = b"public, max-age=300"
ANONYMOUS = b"public, no-cache"

PUBLIC: dict[str, bytes] = {
    "/health": PROBE,
    "/ready": PROBE,
    "/openapi.json": DOCUMENT,
    "/docs": DOCUMENT,
    "/docs/oauth2-redirect": DOCUMENT,
    "/redoc": DOCUMENT,
}

# Bodies that hold a credential: access and refresh tokens, an organization's invitation code.
CREDENTIAL_PREFIXES = ("/api/v1/auth/",)
CREDENTIAL_PATHS = frozenset({"/api/v1/organizations/current"})


def carries_credentials(path: str) -> bool:
    """Whether the response to ``path`` may hold a credential: it is never compressed (BREACH) and
    never stored by a cache."""
    return path in CREDENTIAL_PATHS or path.startswith(CREDENTIAL_PREFIXES)


def cache_control(path: str, method: str, status: int, *, authorized: bool, credentials: bool) -> bytes:
    """The ``Cache-Control`` value for a response (:data:`PERSONAL` also means ``Vary: Authorization``)."""
    if status >= 400 or credentials:
        return NO_STORE
    public = PUBLIC.get(path)
    if public is not None:
        return public
    if authorized:
        return PERSONAL
    return ANONYMOUS if method in ("GET", "HEAD") else NO_STORE
