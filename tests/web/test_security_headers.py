"""Security headers (SEC-4) on every response: nosniff, Referrer-Policy, a Content-Security-Policy
(strict for the API, same-origin for HTML, the page's own for the docs), and HSTS over https or
when configured. Stub endpoints drive the layer; the real app is checked for every kind of answer,
including the ones written outside the layer (a crash's 500)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mercenary.app import create_app
from mercenary.settings import Settings
from mercenary.web.docs import policy_for
from mercenary.web.middleware.delivery import DeliveryMiddleware
from mercenary.web.middleware.security_headers import API_POLICY, HSTS, HTML_POLICY
from tests.api.helpers import bearer, signup
from tests.conftest import make_settings

STRICT = API_POLICY[1].decode()
PAGE = HTML_POLICY[1].decode()


def stub(body: bytes, media_type: str, headers: dict[str, str] | None = None) -> ASGIApp:
    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        await Response(body, 200, headers, media_type)(scope, receive, send)

    return endpoint


async def get(app: ASGIApp, url: str = "http://testserver/x", **options: bool) -> httpx.Response:
    transport = httpx.ASGITransport(app=DeliveryMiddleware(app, **options))
    async with httpx.AsyncClient(transport=transport) as client:
        return await client.get(url)


def assert_secured(response: httpx.Response, policy: str = STRICT) -> None:
    assert response.headers["x-content-type-options"] == "nosniff", response.request.url
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"] == policy, response.request.url


async def test_json_gets_the_strict_policy_and_html_a_same_origin_one() -> None:
    assert_secured(await get(stub(b"{}", "application/json")))
    page = await get(stub(b"<p>hi</p>", "text/html; charset=utf-8"))
    assert_secured(page, PAGE)
    assert "'unsafe-inline'" not in PAGE and "frame-ancestors 'none'" in PAGE


async def test_a_routes_own_policy_is_kept_once() -> None:
    own = "default-src 'self'"
    response = await get(stub(b"<p>hi</p>", "text/html", {"Content-Security-Policy": own}))
    assert response.headers.get_list("content-security-policy") == [own]


@pytest.mark.parametrize(
    ("url", "hsts", "expected"),
    [
        ("http://testserver/x", False, False),
        ("https://testserver/x", False, True),
        ("http://testserver/x", True, True),
        ("https://testserver/x", True, True),
    ],
)
async def test_hsts_over_https_or_when_configured(url: str, hsts: bool, expected: bool) -> None:
    response = await get(stub(b"{}", "application/json"), url, hsts=hsts)
    values = response.headers.get_list("strict-transport-security")
    assert values == ([HSTS[1].decode()] if expected else [])


@pytest.fixture
async def crashing_app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(make_settings(settings.DATABASE_URL, HSTS=True))

    async def crash() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/test/crash", crash)
    async with app.router.lifespan_context(app):
        yield app


async def test_every_kind_of_answer_of_the_app_is_secured(crashing_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=crashing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        user = await signup(client, "sec@example.com")
        me = await client.get("/api/v1/users/me", headers=bearer(user["access_token"]))
        answers = [
            me,
            await client.get("/health"),
            await client.get("/openapi.json"),
            await client.get(
                "/api/v1/users/me",
                headers={**bearer(user["access_token"]), "If-None-Match": me.headers["etag"]},
            ),
            await client.get("/api/v1/nope"),
            await client.delete("/health"),
            await client.get("/api/v1/users/me"),
            await client.post("/api/v1/auth/login", json={}),
            await client.post("/api/v1/auth/login", content=b"x" * 2_000_000),
            await client.get("/test/crash"),
        ]
        assert [a.status_code for a in answers] == [200, 200, 200, 304, 404, 405, 401, 422, 413, 500]
        for answer in answers:
            assert_secured(answer)
        # HSTS is configured: every answer has it, the crash's too.
        assert all("strict-transport-security" in a.headers for a in answers[:-1])


async def test_the_docs_pages_carry_a_policy_that_lets_them_load(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/docs/oauth2-redirect", "/redoc"):
        response = await client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert response.headers["x-content-type-options"] == "nosniff"
        directives = [d.partition(" ") for d in response.headers["content-security-policy"].split("; ")]
        policy = {name: values for name, _, values in directives}
        html = response.text
        assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        for src in re.findall(r'<script src="(https://[^/"]+)', html):
            assert src in policy["script-src"].split(), (path, src)
        for inline in re.findall(r"<script>(.*?)</script>", html, re.S):
            digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy["script-src"], path
        for href in re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="(https://[^/"]+)', html):
            assert href in policy["style-src"].split(), (path, href)
        for href in re.findall(r'<link[^>]*href="(https://[^/"]+)[^"]*"[^>]*rel="stylesheet"', html):
            assert href in policy["style-src"].split(), (path, href)
        if "openapi.json" in html:
            assert policy["connect-src"] == "'self'"  # the viewer fetches the document


def test_a_page_without_scripts_may_run_none() -> None:
    policy = policy_for(b"<html><body><p>nothing</p></body></html>")
    assert "script-src 'none'" in policy
