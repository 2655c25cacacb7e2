"""The interactive API docs (``/docs``: Swagger UI, ``/redoc``: ReDoc), each served with a
Content-Security-Policy of its own.

The API's own policy allows a page nothing (``security_headers.py``), and the docs pages need more:
their scripts and stylesheets come from a CDN, each page starts its viewer with an inline script,
and the viewers write inline styles. Rather than loosen the policy for every response, these pages
carry their own, derived from their HTML once at start-up: the origins the page loads scripts,
stylesheets and icons from, and the SHA-256 of each inline script (so ``'unsafe-inline'`` is never
needed for scripts: only those exact scripts run). Inline *styles* are allowed on these pages only:
both viewers set ``style`` attributes, which hashes cannot cover, and a style cannot run code.
The pages render no input of a request, so they are the same bytes every time.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.requests import Request
from starlette.responses import Response

SWAGGER = "/docs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
REDOC = "/redoc"
# Loaded by a viewer's own code rather than named in the page: ReDoc's fonts and its search worker.
EXTRA = {"font-src": ["https://fonts.gstatic.com"], "worker-src": ["blob:"]}


class _Resources(HTMLParser):
    """What a page loads: script, stylesheet and icon origins, and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.images: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.scripts.append(_origin(str(found["src"])))
            else:
                self._in_script = True
                self.inline.append("")
        elif tag == "link" and found.get("href"):
            rel = (found.get("rel") or "").lower()
            target = self.styles if "stylesheet" in rel else self.images if "icon" in rel else None
            if target is not None:
                target.append(_origin(str(found["href"])))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline[-1] += data


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def policy_for(html: bytes) -> str:
    """A Content-Security-Policy that lets ``html`` load what it names and run its inline scripts."""
    page = _Resources()
    page.feed(html.decode())
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in page.inline
    ]
    directives = {
        "default-src": ["'none'"],
        "script-src": _unique(page.scripts + hashes) or ["'none'"],
        "style-src": _unique([*page.styles, "'unsafe-inline'"]),
        "img-src": _unique(["'self'", "data:", *page.images]),
        "connect-src": ["'self'"],
        **EXTRA,
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _page(html: Response) -> tuple[bytes, dict[str, str]]:
    body = bytes(html.body)
    return body, {"Content-Security-Policy": policy_for(body)}


def install(app: FastAPI, openapi_url: str = "/openapi.json") -> None:
    """Serve the docs pages on ``app`` (created with ``docs_url=None, redoc_url=None``)."""
    pages = {
        SWAGGER: _page(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url=OAUTH2_REDIRECT,
            )
        ),
        OAUTH2_REDIRECT: _page(get_swagger_ui_oauth2_redirect_html()),
        REDOC: _page(get_redoc_html(openapi_url=openapi_url, title=f"{app.title} - ReDoc")),
    }

    async def docs_page(request: Request) -> Response:
        body, headers = pages[request.url.path]
        return Response(body, media_type="text/html", headers=headers)

    for path in pages:
        app.add_route(path, docs_page, include_in_schema=False)
