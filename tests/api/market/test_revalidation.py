"""API-4 and API-5 on projects: a client revalidates a project with its ETag and gets 304 until the
project changes; a page of projects is gzipped; a write's Server-Timing counts its statements."""

from __future__ import annotations

import httpx

from tests.api.market.conftest import Market, post_project

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


async def test_a_project_is_revalidated_until_it_changes(client: httpx.AsyncClient, market: Market) -> None:
    project = await post_project(client, market.a1)
    url = f"/api/v1/projects/{project['id']}"
    h = market.a1.headers
    first = await client.get(url, headers=h)
    tag = first.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')
    assert (await client.get(url, headers=h)).headers["etag"] == tag  # stable while nothing changes

    unchanged = await client.get(url, headers={**h, "If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == tag
    assert unchanged.headers["cache-control"] == "private, no-cache"
    assert unchanged.headers["vary"] == "Authorization"

    assert (await client.patch(url, json={"budget": 7000}, headers=h)).status_code == 200
    changed = await client.get(url, headers={**h, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.json()["budget"] == 7000
    assert changed.headers["etag"] != tag
    again = await client.get(url, headers={**h, "If-None-Match": f"{tag}, {changed.headers['etag']}"})
    assert again.status_code == 304

    # Another caller sees the same project under their own token: a cache keys it by Authorization.
    seen_by_freelancer = await client.get(url, headers={**market.f1.headers, "If-None-Match": tag})
    assert seen_by_freelancer.status_code == 200


async def test_a_page_of_projects_is_gzipped(client: httpx.AsyncClient, market: Market) -> None:
    for i in range(12):
        await post_project(client, market.a1, title=f"Build a Django shop, part {i}")
    h = market.f1.headers
    packed = await client.get("/api/v1/projects", params={"limit": 12}, headers={**h, **GZIP})
    assert packed.status_code == 200 and len(packed.json()["items"]) == 12
    assert len(packed.content) >= 1024
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.num_bytes_downloaded < len(packed.content) / 2
    assert packed.headers["vary"] == "Authorization, Accept-Encoding"
    assert packed.headers["etag"].endswith('-gzip"')

    plain = await client.get("/api/v1/projects", params={"limit": 12}, headers={**h, **IDENTITY})
    assert "content-encoding" not in plain.headers and plain.content == packed.content
    assert plain.headers["vary"] == "Authorization, Accept-Encoding"

    small = await client.get("/api/v1/projects", params={"limit": 1}, headers={**h, **GZIP})
    assert len(small.content) < 1024
    assert "content-encoding" not in small.headers
    assert small.headers["vary"] == "Authorization"

    revalidated = await client.get(
        "/api/v1/projects",
        params={"limit": 12},
        headers={**h, **GZIP, "If-None-Match": packed.headers["etag"]},
    )
    assert revalidated.status_code == 304


async def test_a_write_reports_its_database_time(client: httpx.AsyncClient, market: Market) -> None:
    project = await post_project(client, market.a1, status="draft")
    changed = await client.patch(
        f"/api/v1/projects/{project['id']}", json={"budget": 6500}, headers=market.a1.headers
    )
    app_part, db_part = changed.headers["server-timing"].split(", ")
    app_ms, db_ms = float(app_part.removeprefix("app;dur=")), float(db_part.removeprefix("db;dur="))
    assert 0 < db_ms <= app_ms
    assert changed.headers["cache-control"] == "private, no-cache"
    assert "etag" not in changed.headers  # a PATCH's answer is not a representation to revalidate
