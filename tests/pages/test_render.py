"""The page route class: errors become friendly pages with their status (a database's transient
failure a 503 with ``Retry-After``), bugs stay bugs; and the vendored web-vitals is npm's file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from starlette.exceptions import HTTPException

from mercenary.app import create_app
from mercenary.errors import ConflictError
from mercenary.pages import assets
from mercenary.pages.render import PageRoute
from tests.conftest import make_settings
from tests.pages.conftest import NODE_DIR


def stub_app() -> FastAPI:
    router = APIRouter(route_class=PageRoute)

    @router.get("/busy")
    async def busy() -> None:
        raise sqlite3.OperationalError("database is locked")

    @router.get("/conflict")
    async def conflict() -> None:
        raise ConflictError("internal detail: row 42 of table projects")

    @router.get("/gone")
    async def gone() -> None:
        raise HTTPException(410)

    @router.get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug")

    app = FastAPI()
    app.include_router(router)
    return app


async def test_errors_become_pages_and_bugs_stay_bugs() -> None:
    transport = httpx.ASGITransport(app=stub_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        busy = await c.get("/busy")
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert "busy" in busy.text and "locked" not in busy.text
        conflict = await c.get("/conflict")
        assert conflict.status_code == 409 and "row 42" not in conflict.text
        gone = await c.get("/gone")
        assert gone.status_code == 410 and "Something went wrong" in gone.text
        assert (await c.get("/bug")).status_code == 500


def test_the_vendored_web_vitals_is_the_pinned_npm_file() -> None:
    npm_copy = NODE_DIR / "node_modules" / "web-vitals" / "dist" / "web-vitals.iife.js"
    if not npm_copy.exists():
        pytest.skip("browser/node_modules is not installed (scripts/test installs it)")
    vendored = (assets.STATIC / "web-vitals.js").read_bytes()
    assert vendored.split(b"\n", 1)[1] == npm_copy.read_bytes()
    assert b"web-vitals " + version().encode() in vendored.split(b"\n", 1)[0]


def version() -> str:
    lock = json.loads((NODE_DIR / "package-lock.json").read_text())
    return str(lock["packages"]["node_modules/web-vitals"]["version"])


def test_static_names_change_with_their_content(tmp_path: Path) -> None:
    one = tmp_path / "site.css"
    assert assets.hashed_name(one, b"a{}") != assets.hashed_name(one, b"b{}")
    assert assets.hashed_name(one, b"a{}").startswith("site.") and assets.hashed_name(one, b"a{}").endswith(
        ".css"
    )


HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_a_browser_lost_outside_the_api_gets_a_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    for path, headers in (("/no/such/page", {}), ("/api/v1/no/such", HTML)):
        problem = await client.get(path, headers=headers)
        assert problem.status_code == 404
        assert problem.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_browser_over_the_rate_limit_gets_a_page(database_url: str) -> None:
    app = create_app(make_settings(database_url, RATE_LIMIT_ANONYMOUS="2/minute"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            answers = [await c.get("/", headers=HTML) for _ in range(3)]
            assert [a.status_code for a in answers] == [200, 200, 429]
            refused = answers[-1]
            assert refused.headers["content-type"].startswith("text/html") and "Slow down" in refused.text
            assert int(refused.headers["retry-after"]) >= 1
            api = await c.get("/api/v1/skills", headers=HTML)
            assert api.status_code == 429 and api.headers["content-type"].startswith(
                "application/problem+json"
            )
