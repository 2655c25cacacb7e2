"""How pages and static files leave (FE-2, FE-3, 004 §3.1.1): hashed names with a year of immutable
caching, pages public to a CDN for visitors and private for a user, ETags and 304s, a strict CSP
with no inline script, the market's list cached and invalidated with the API's pages."""

from __future__ import annotations

import hashlib
import re

import httpx
from fastapi import FastAPI

from mercenary.pages import assets
from mercenary.pages.render import TEMPLATES
from tests.pages.helpers import browser, page_signup, post_form

ASSET_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


async def test_static_files_have_hashed_names_and_a_year_of_immutable_caching(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/")
    urls = ASSET_URL.findall(page.text)
    assert len(urls) == 3  # the stylesheet, web-vitals and the RUM script
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        digest = hashlib.sha256(response.content).hexdigest()[:12]
        assert url.rsplit(".", 2)[1] == digest
        assert "cookie" not in response.headers.get("vary", "").lower()
    css = await client.get(assets.url("site.css"), headers={"accept-encoding": "gzip"})
    assert css.headers["content-type"].startswith("text/css")


async def test_a_visitors_page_is_public_and_revalidated_with_its_etag(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.headers["cache-control"] == "public, max-age=0, s-maxage=60"
    assert "Cookie" in page.headers["vary"]
    assert "set-cookie" not in page.headers
    again = await client.get("/", headers={"if-none-match": page.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_a_signed_in_users_page_is_private(app: FastAPI) -> None:
    async with browser(app) as c:
        await page_signup(c, "carol@example.com")
        page = await c.get("/")
        assert page.headers["cache-control"] in ("private, no-cache", "no-store")
        again = await c.get("/")
        assert again.headers["cache-control"] == "private, no-cache"


async def test_pages_have_a_strict_policy_and_no_inline_script(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag, f"{template.name}: inline script"
        assert " style=" not in text and " on" + "click=" not in text, template.name


async def test_the_market_list_is_cached_and_a_new_project_shows_at_once(app: FastAPI) -> None:
    async with browser(app) as c:
        first = await c.get("/")
        assert "Ship the release" not in first.text
        await page_signup(c, "carol@example.com")
        fields = {
            "title": "Ship the release",
            "description": "d",
            "budget": "10",
            "skills": "",
            "status": "open",
        }
        assert (await post_form(c, "/projects/new", "/projects/new", fields)).status_code == 303
    async with browser(app) as visitor:
        assert "Ship the release" in (await visitor.get("/")).text
