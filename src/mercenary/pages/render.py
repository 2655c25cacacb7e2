"""Templates (Jinja2, autoescaped, compiled once per process), the pages' caching headers, and the
route class that answers the pages' errors as friendly pages.

Caching (``docs/pages.md``): a page a visitor sees is the same for every visitor, so it is
``public`` with ``s-maxage`` (a CDN may keep it ``PAGES_SHARED_MAX_AGE_S``) and revalidated by
browsers (``max-age=0``; the ETag the delivery layer adds makes that a 304). A page for a signed-in
user, or one that carries a form's CSRF token, is ``private, no-cache``; a page that sets a cookie,
an error page and the answer to a post are ``no-store``. Every page varies on
``Cookie``: a shared cache must not answer a signed-in user with the visitor's page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mercenary.db import is_transient
from mercenary.errors import MercenaryError
from mercenary.pages import assets
from mercenary.pages.session import PageSession

log = logging.getLogger("mercenary.pages")
TEMPLATES = Path(__file__).parent / "templates"
PRIVATE = "private, no-cache"
NO_STORE = "no-store"
IMMUTABLE_HEADERS = {"cache-control": assets.IMMUTABLE}

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True),
    auto_reload=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals["asset"] = assets.url

# What a visitor is told for each status: friendly, and nothing about the inside.
FRIENDLY = {
    400: ("This request could not be read", "Go back and try again."),
    401: ("Please sign in", "This page needs you to sign in first."),
    403: ("Not allowed", "Your account cannot do this."),
    404: ("Page not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "This page cannot be used that way."),
    409: ("Already changed", "Someone changed this meanwhile. Reload the page to see where it stands."),
    413: ("Too large", "What you sent is too large."),
    422: ("Please check the form", "Some of what you sent cannot be used."),
    429: ("Slow down", "Too many requests. Wait a little and try again."),
    503: ("Busy right now", "The marketplace is busy. Try again in a few seconds."),
}


def html(body: str, status: int, cache_control: str) -> HTMLResponse:
    """A rendered page with its caching headers."""
    return HTMLResponse(body, status, headers={"cache-control": cache_control, "vary": "Cookie"})


def public_policy(shared_max_age: int) -> str:
    """The ``Cache-Control`` of a page every visitor sees alike."""
    return f"public, max-age=0, s-maxage={shared_max_age}"


def render(session: PageSession, template: str, status: int = 200, **context: Any) -> Response:
    """``template`` for ``session``'s user: private to them when signed in or when it shows a form
    token, never stored when it sets a cookie or is not a 200 to a GET, else public."""
    body = env.get_template(template).render(me=session.principal, session=session, **context)
    if session.principal is not None or session.personal:
        policy = PRIVATE
    else:
        policy = public_policy(session.state.settings.PAGES_SHARED_MAX_AGE_S)
    if session.cookies or status != 200 or session.request.method != "GET":
        policy = NO_STORE
    response = html(body, status, policy)
    session.apply(response)
    return response


def visitor_page(session: PageSession, body: bytes) -> Response:
    """A page rendered for visitors and kept whole (the same for every visitor)."""
    policy = public_policy(session.state.settings.PAGES_SHARED_MAX_AGE_S)
    return Response(body, 200, headers={"cache-control": policy, "vary": "Cookie"}, media_type="text/html")


def redirect(session: PageSession, to: str) -> Response:
    """303 to ``to`` (a form's answer), with the session's cookies."""
    response = RedirectResponse(to, 303, headers={"cache-control": NO_STORE})
    session.apply(response)
    return response


def problem_page(status: int, headers: dict[str, str] | None = None) -> Response:
    """The friendly page for ``status``: its title and one sentence, never the error's detail."""
    title, line = FRIENDLY.get(status, ("Something went wrong", "Please try again later."))
    body = env.get_template("error.html").render(me=None, session=None, title=title, line=line, status=status)
    response = html(body, status, NO_STORE)
    response.headers.update(headers or {})
    return response


class PageRoute(APIRoute):
    """A route that answers errors as pages: the domains' errors with their status, validation
    errors as 422 (forms re-render themselves; this is for the query string), the database's
    transient failures as 503 with ``Retry-After``. Anything else is a bug, left to the app's
    crash handler."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except MercenaryError as exc:
                return problem_page(exc.status, exc.headers)
            except RequestValidationError:
                return problem_page(422)
            except HTTPException as exc:
                return problem_page(exc.status_code)
            except Exception as exc:
                if not is_transient(exc):
                    raise
                log.warning("page %s: transient database failure: %s", request.url.path, type(exc).__name__)
                return problem_page(503, {"retry-after": "1"})

        return answer
