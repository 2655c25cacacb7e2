"""The PDF profile (DOM-9) end to end: 202 with Retry-After while a real worker renders it, then
the file (streamed, ``application/pdf``, ``Content-Disposition``), kept until what it shows
changes. Same visibility as the public profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.backends.queue.tables import job_outbox
from mercenary.db import Database
from mercenary.profiles.tables import profile_pdfs
from mercenary.settings import Settings
from tests.api.helpers import assert_problem
from tests.api.market.conftest import Market
from tests.support.workers import WorkerProcess, wait_until

PROFILE = {
    "headline": "Django shops, fast",
    "bio": "Ten years of Python.",
    "hourly_rate": 80,
    "skills": ["python"],
}


async def _put_profile(client: httpx.AsyncClient, market: Market, **changes: Any) -> None:
    response = await client.put(
        f"/api/v1/freelancers/{market.f1.id}/profile", json={**PROFILE, **changes}, headers=market.f1.headers
    )
    assert response.status_code == 200, response.text


def _url(market: Market) -> str:
    return f"/api/v1/freelancers/{market.f1.id}/profile.pdf"


async def _rendered(client: httpx.AsyncClient, market: Market) -> httpx.Response:
    """Poll as a reader would (Retry-After) until the PDF is there."""
    found: list[httpx.Response] = []

    async def ready() -> bool:
        response = await client.get(_url(market), headers=market.a1.headers)
        assert response.status_code in (200, 202), response.text
        found.append(response)
        return response.status_code == 200

    await wait_until(ready, 60, "the PDF")
    return found[-1]


async def test_202_while_it_renders_then_the_file_until_the_profile_changes(
    client: httpx.AsyncClient, market: Market, db: Database, app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    await _put_profile(client, market)
    first = await client.get(_url(market), headers=market.a1.headers)
    assert first.status_code == 202
    assert first.headers["Retry-After"] == "1"
    assert first.json() == {"status": "rendering", "retry_after": 1}
    again = await client.get(_url(market), headers=market.b1.headers)  # anyone signed in may read it
    assert again.status_code == 202
    await app.state.mercenary.queue.drain()
    # One render queued for the version, however many readers wait for it.
    assert await app.state.mercenary.queue.depth("high") == 1
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(job_outbox)) == 0

    worker = await WorkerProcess.start(settings, tmp_path / "worker.log", modules=())
    try:
        done = await _rendered(client, market)
        assert done.headers["content-type"] == "application/pdf"
        assert done.headers["content-disposition"] == f'attachment; filename="profile-{market.f1.id}.pdf"'
        assert done.content.startswith(b"%PDF-") and done.content.rstrip().endswith(b"%%EOF")
        assert int(done.headers["content-length"]) == len(done.content) > 1_000
        version = done.headers["etag"]
        # Served from the cache: the same file, no new render.
        same = await client.get(_url(market), headers=market.f2.headers)
        assert same.status_code == 200 and same.content == done.content and same.headers["etag"] == version

        # What the PDF shows changed: 202 again, then a new file.
        await _put_profile(client, market, headline="Django shops, faster")
        assert (await client.get(_url(market), headers=market.a1.headers)).status_code == 202
        newer = await _rendered(client, market)
        assert newer.headers["etag"] != version and newer.content != done.content
        # The stored file went missing: the reader gets 202 and a new render, not an error.
        blobs = app.state.mercenary.blobs
        [key] = [k async for k in blobs.iter_keys()]  # the first version's file was deleted
        await blobs.delete(key)
        assert (await client.get(_url(market), headers=market.a1.headers)).status_code == 202
        again = await _rendered(client, market)
        assert again.headers["etag"] == newer.headers["etag"]
    finally:
        assert await worker.stop() == 0
    assert "Traceback" not in worker.log()
    row = await db.fetch_one(sa.select(profile_pdfs).where(profile_pdfs.c.user_id == market.f1.id))
    assert row is not None and row["version"] == row["requested_version"] == newer.headers["etag"].strip('"')


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_pdf_without_a_visible_profile(
    client: httpx.AsyncClient, market: Market, db: Database
) -> None:
    for user_id in (market.a1.id, market.f2.id, 10**9):  # a client, a freelancer without a profile, nobody
        response = await client.get(f"/api/v1/freelancers/{user_id}/profile.pdf", headers=market.f1.headers)
        assert_problem(response, 404, "not_found")
    assert (await client.get(_url(market))).status_code == 401
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(profile_pdfs)) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_full_queue_refuses_the_render_and_records_nothing(
    client: httpx.AsyncClient, market: Market, db: Database, app: FastAPI
) -> None:
    import uuid

    from mercenary.backends.queue.client import build_message
    from mercenary.profiles.pdf import RENDER_PDF

    await _put_profile(client, market)
    queue = app.state.mercenary.queue
    queue.max_depth = 1
    await queue.send(build_message(RENDER_PDF, {"user_id": market.f2.id}, str(uuid.uuid4())))
    refused = await client.get(_url(market), headers=market.a1.headers)
    assert_problem(refused, 503, "queue_full")
    assert refused.headers["Retry-After"] == "5"
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(profile_pdfs)) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_storage_down_is_a_503_and_changes_nothing(
    client: httpx.AsyncClient, market: Market, db: Database, app: FastAPI
) -> None:
    from mercenary.db.metadata import utcnow
    from mercenary.profiles import pdf

    await _put_profile(client, market)
    state = app.state.mercenary
    _, version = await pdf.document(state.db, market.f1.id)
    row = {
        "user_id": market.f1.id,
        "version": version,
        "blob_key": "0" * 32,
        "size": 10,
        "rendered_at": utcnow(),
    }
    await db.execute(sa.insert(profile_pdfs).values(**row))
    state.blobs.breaker.failure(60)  # the storage failed a moment ago: its breaker fails closed
    refused = await client.get(_url(market), headers=market.a1.headers)
    assert_problem(refused, 503, "storage_unavailable")
    assert "Retry-After" in refused.headers
    stored = await db.fetch_one(sa.select(profile_pdfs))
    assert stored is not None and stored["blob_key"] == "0" * 32 and stored["requested_version"] is None
