"""The security headers every response carries (SEC-4), as precomputed header tuples that
``delivery.py`` appends: no per-request work beyond the appends.

- ``X-Content-Type-Options: nosniff``: a browser never guesses a type other than the one sent (a
  JSON body is never run as a script or rendered as HTML).
- ``Referrer-Policy: no-referrer``: a page of ours never leaks its URL (ids, cursors) to another site.
- ``Content-Security-Policy``: a response that sets its own keeps it (the docs pages, ``web/docs.py``);
  HTML gets :data:`HTML_POLICY` (same-origin resources only, no inline script, no framing); anything
  else :data:`API_POLICY`, which allows nothing at all: a JSON body opened in a browser can load
  nothing and cannot be framed.
- ``Strict-Transport-Security``: on requests that arrived over https, and on every response when
  ``HSTS`` is set (TLS ends at a proxy in front, so the request reaching us is plain http). One year,
  subdomains included; not ``preload``, which is a decision for whoever owns the domain.
"""

from __future__ import annotations

Header = tuple[bytes, bytes]

CSP = b"content-security-policy"
NOSNIFF: Header = (b"x-content-type-options", b"nosniff")
REFERRER: Header = (b"referrer-policy", b"no-referrer")
API_POLICY: Header = (CSP, b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
HTML_POLICY: Header = (
    CSP,
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
)
HSTS: Header = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")

# Every response, whatever it is.
ALWAYS: tuple[Header, ...] = (NOSNIFF, REFERRER)


def is_html(content_type: bytes | None) -> bool:
    """Whether a response of ``content_type`` is a page a browser renders."""
    return content_type is not None and content_type[:9].lower() == b"text/html"


def as_dict(*, html: bool = False) -> dict[str, str]:
    """The headers of a response written outside ``delivery.py`` (a crash's 500), as a dict."""
    policy = HTML_POLICY if html else API_POLICY
    return {name.decode(): value.decode() for name, value in (*ALWAYS, policy)}
