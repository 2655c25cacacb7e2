"""Helpers for the page tests: a browser-like client (its own cookie jar), forms with their CSRF
token, and sign-up through the pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from tests.api.helpers import PASSWORD

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@asynccontextmanager
async def browser(app: FastAPI, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """A client with a cookie jar of its own, as one browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as c:
        yield c


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of the first form on ``page``."""
    found = CSRF.search(page.text)
    assert found is not None, page.text[:2000]
    return found.group(1)


async def post_form(c: httpx.AsyncClient, page: str, action: str, fields: dict[str, str]) -> httpx.Response:
    """Open ``page`` and post ``fields`` to ``action`` with the page's CSRF token."""
    shown = await c.get(page)
    return await c.post(action, data={**fields, "csrf": csrf_of(shown)})


async def page_signup(c: httpx.AsyncClient, email: str, role: str = "client") -> httpx.Response:
    """Sign up through the sign-up page (a client names a company)."""
    fields = {"email": email, "password": PASSWORD, "name": email.split("@")[0].title(), "role": role}
    if role == "client":
        fields["organization"] = f"Org of {email}"
    response = await post_form(c, "/signup", "/signup", fields)
    assert response.status_code == 303, response.text
    return response
