"""Page sessions ride on the API's tokens: the cookies' flags, renewal with the refresh token,
reuse detection, and log-out revoking the same session the API knows."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from mercenary.pages.session import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from tests.pages.helpers import browser, page_signup, post_form


def cookie_lines(response: httpx.Response) -> dict[str, str]:
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


async def test_cookies_are_http_only_lax_and_secure_over_https(app: FastAPI) -> None:
    async with browser(app) as plain:
        lines = cookie_lines(await page_signup(plain, "carol@example.com"))
        assert {ACCESS_COOKIE, REFRESH_COOKIE} <= set(lines)
        for line in lines.values():
            assert "HttpOnly" in line and "SameSite=lax" in line and "Path=/" in line
            assert "Secure" not in line
    async with browser(app, "https://testserver") as tls:
        lines = cookie_lines(await page_signup(tls, "dave@example.com"))
        assert all("Secure" in line for line in lines.values())


async def test_an_expired_access_token_is_renewed_with_the_refresh_token(app: FastAPI) -> None:
    async with browser(app) as c:
        await page_signup(c, "carol@example.com")
        old_refresh = c.cookies[REFRESH_COOKIE]
        c.cookies.set(ACCESS_COOKIE, "expired.or.forged")
        page = await c.get("/projects/new")
        assert page.status_code == 200 and "Log out" in page.text
        assert page.headers["cache-control"] == "no-store"  # it sets the new pair
        assert c.cookies[REFRESH_COOKIE] != old_refresh
    # The rotated token presented again (a stolen copy) ends the session for both copies.
    async with browser(app) as thief:
        thief.cookies.set(ACCESS_COOKIE, "expired.or.forged")
        thief.cookies.set(REFRESH_COOKIE, old_refresh)
        page = await thief.get("/")
        assert "Log in" in page.text
        assert any(line.startswith(f'{REFRESH_COOKIE}=""') for line in page.headers.get_list("set-cookie"))


async def test_log_out_revokes_the_api_session(app: FastAPI, client: httpx.AsyncClient) -> None:
    async with browser(app) as c:
        await page_signup(c, "carol@example.com")
        refresh = c.cookies[REFRESH_COOKIE]
        out = await post_form(c, "/projects/new", "/logout", {})
        assert out.status_code == 303
        assert REFRESH_COOKIE not in c.cookies and ACCESS_COOKIE not in c.cookies
        assert CSRF_COOKIE in c.cookies
    denied = await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert denied.status_code == 401


async def test_the_api_ignores_page_cookies(app: FastAPI) -> None:
    async with browser(app) as c:
        await page_signup(c, "carol@example.com")
        response = await c.get("/api/v1/users/me")
        assert response.status_code == 401  # a cookie is no bearer token: no CSRF surface on the API
