"""Project documents (DOM-5) over HTTP, on SQLite and PostgreSQL, with the folder and the S3 blob
stores: upload, list, download and delete; who sees them; and every refused upload (SEC-3)
answered with a clear 4xx, leaving no row and no file behind."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.app import create_app
from mercenary.documents import service
from mercenary.documents.tables import project_documents
from mercenary.settings import Settings
from tests.api.helpers import assert_problem, bearer, signup
from tests.support import samples
from tests.support.servers import S3Server

P = "/api/v1/projects"
MAX = 256 * 1024  # UPLOAD_MAX_BYTES here, far over MAX_BODY_BYTES (see `settings`)


@pytest.fixture(params=["file", "s3"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The suite's settings with each blob store, a small upload cap, and a body limit far under it
    (uploads are not held to MAX_BODY_BYTES)."""
    overrides: dict[str, Any] = {"UPLOAD_MAX_BYTES": MAX, "MAX_BODY_BYTES": 16 * 1024}
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        bucket = f"docs-{uuid.uuid4().hex[:12]}"
        server.create_bucket(bucket)
        overrides["BLOB_URL"] = server.url(bucket)
    return settings.model_copy(update=overrides)


async def stored_keys(app: FastAPI) -> set[str]:
    return {key async for key in app.state.mercenary.blobs.iter_keys()}


async def document_rows(app: FastAPI) -> list[Any]:
    rows: list[Any] = await app.state.mercenary.db.fetch_all(sa.select(project_documents))
    return rows


async def world(client: httpx.AsyncClient) -> dict[str, Any]:
    """Alice's organization with an open project; Fred bids on it; Eve does not; Mallory is another
    organization's client."""
    alice = bearer((await signup(client, "alice@example.com"))["access_token"])
    fred = bearer((await signup(client, "fred@example.com", role="freelancer"))["access_token"])
    eve = bearer((await signup(client, "eve@example.com", role="freelancer"))["access_token"])
    mallory = bearer((await signup(client, "mallory@example.com"))["access_token"])
    project = await client.post(
        P, json={"title": "Site", "description": "d", "budget": 10, "status": "open"}, headers=alice
    )
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    bid = await client.post(
        f"{P}/{project_id}/proposals", json={"cover_letter": "Me", "price": 9}, headers=fred
    )
    assert bid.status_code == 201, bid.text
    return {
        "alice": alice,
        "fred": fred,
        "eve": eve,
        "mallory": mallory,
        "project": project_id,
        "bid": bid.json()["id"],
    }


async def upload(
    client: httpx.AsyncClient, project_id: int, headers: dict[str, str], name: str, data: bytes, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"{P}/{project_id}/documents",
        files={"file": (name, data, "application/octet-stream")},
        headers=headers,
        **extra,
    )


async def test_a_document_is_uploaded_listed_downloaded_and_deleted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    w = await world(client)
    pid, alice = w["project"], w["alice"]
    data = samples.pdf("Brief", pages=3)
    big = samples.docx(extra={"word/media/photo.bin": os.urandom(40_000)})  # over MAX_BODY_BYTES
    first = await upload(client, pid, alice, "Brief für Ärzte.pdf", data)
    assert first.status_code == 201, first.text
    doc = first.json()
    assert doc["media_type"] == "application/pdf" and doc["size"] == len(data)
    assert doc["sha256"] == hashlib.sha256(data).hexdigest() and doc["filename"] == "Brief für Ärzte.pdf"
    second = await upload(client, pid, alice, "annex", big)
    assert second.status_code == 201, second.text
    assert second.json()["filename"] == "annex.docx" and len(big) > 16 * 1024

    listed = await client.get(f"{P}/{pid}/documents", headers=w["fred"])  # a live proposal: he sees them
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["items"]] == [second.json()["id"], doc["id"]]
    page = await client.get(f"{P}/{pid}/documents?limit=1", headers=alice)
    after = await client.get(
        f"{P}/{pid}/documents?limit=1&cursor={page.json()['next_cursor']}", headers=alice
    )
    assert [d["id"] for d in after.json()["items"]] == [doc["id"]]

    got = await client.get(f"{P}/{pid}/documents/{doc['id']}", headers=w["fred"])
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-length"] == str(len(data))
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"Brief f_r _rzte.pdf\"; filename*=UTF-8''Brief%20f%C3%BCr%20%C3%84rzte.pdf"
    )
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["etag"] == f'"{doc["sha256"]}"'

    assert len(await stored_keys(app)) == 2
    gone = await client.delete(f"{P}/{pid}/documents/{doc['id']}", headers=alice)
    assert gone.status_code == 204
    assert_problem(
        await client.get(f"{P}/{pid}/documents/{doc['id']}", headers=alice), 404, "document_not_found"
    )
    assert_problem(
        await client.delete(f"{P}/{pid}/documents/{doc['id']}", headers=alice), 404, "document_not_found"
    )
    assert len(await stored_keys(app)) == 1 and len(await document_rows(app)) == 1


async def test_only_the_organization_and_live_bidders_see_documents(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    w = await world(client)
    pid = w["project"]
    doc = (await upload(client, pid, w["alice"], "a.pdf", samples.pdf())).json()
    for who in ("eve", "mallory"):  # the project is public; its documents are not
        assert_problem(await client.get(f"{P}/{pid}/documents", headers=w[who]), 404, "project_not_found")
        assert_problem(
            await client.get(f"{P}/{pid}/documents/{doc['id']}", headers=w[who]), 404, "project_not_found"
        )
    assert_problem(await upload(client, pid, w["mallory"], "x.pdf", samples.pdf()), 404, "project_not_found")
    assert_problem(await upload(client, pid, w["fred"], "x.pdf", samples.pdf()), 403, "permission_denied")
    assert_problem(
        await client.delete(f"{P}/{pid}/documents/{doc['id']}", headers=w["fred"]), 403, "permission_denied"
    )
    # Once Fred withdraws, he sees them no more.
    assert (await client.post(f"/api/v1/proposals/{w['bid']}/withdraw", headers=w["fred"])).status_code == 200
    assert_problem(await client.get(f"{P}/{pid}/documents", headers=w["fred"]), 404, "project_not_found")
    # A document id of another project is not found through this one.
    other = await client.post(P, json={"title": "Other", "description": "d", "budget": 1}, headers=w["alice"])
    assert_problem(
        await client.get(f"{P}/{other.json()['id']}/documents/{doc['id']}", headers=w["alice"]),
        404,
        "document_not_found",
    )
    assert len(await document_rows(app)) == 1 and len(await stored_keys(app)) == 1


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("big.pdf", samples.pdf() + b"%" * MAX, 413, "file_too_large"),
        ("cv.pdf", samples.EXECUTABLE, 415, "unsupported_file_type"),
        ("page.pdf", samples.HTML, 415, "unsupported_file_type"),
        ("brief.docx", samples.pdf(), 415, "file_type_mismatch"),
        ("bomb.docx", samples.zip_bomb(), 422, "unsafe_archive"),
        ("empty.pdf", b"", 422, "empty_file"),
        ("cut.pdf", samples.pdf(pages=4)[:700], 422, "corrupt_file"),
    ],
    ids=[
        "oversize",
        "disguised-executable",
        "disguised-html",
        "mismatch",
        "zip-bomb",
        "empty",
        "truncated-pdf",
    ],
)
async def test_a_refused_upload_leaves_nothing(
    app: FastAPI, client: httpx.AsyncClient, name: str, data: bytes, status: int, code: str
) -> None:
    w = await world(client)
    answer = await upload(client, w["project"], w["alice"], name, data)
    body = assert_problem(answer, status, code)
    assert body["detail"]
    assert await document_rows(app) == [] and await stored_keys(app) == set()


async def test_a_retried_upload_with_its_key_creates_one_document(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    w = await world(client)
    key = {"Idempotency-Key": "upload-0001"}
    first = await upload(client, w["project"], w["alice"] | key, "a.pdf", samples.pdf())
    again = await upload(client, w["project"], w["alice"] | key, "a.pdf", samples.pdf())
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = await upload(client, w["project"], w["alice"] | key, "a.pdf", samples.pdf("Other"))
    assert_problem(other, 422, "idempotency_key_reused")
    assert len(await document_rows(app)) == 1 and len(await stored_keys(app)) == 1


async def test_a_project_holds_a_bounded_number_of_documents(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_DOCUMENTS", 1)
    w = await world(client)
    assert (await upload(client, w["project"], w["alice"], "a.pdf", samples.pdf())).status_code == 201
    full = await upload(client, w["project"], w["alice"], "b.pdf", samples.pdf())
    assert assert_problem(full, 409, "too_many_documents")["max_documents"] == 1
    assert len(await stored_keys(app)) == 1


async def test_a_document_whose_file_is_gone_is_not_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    w = await world(client)
    doc = (await upload(client, w["project"], w["alice"], "a.pdf", samples.pdf())).json()
    (key,) = await stored_keys(app)
    await app.state.mercenary.blobs.delete(key)
    assert_problem(
        await client.get(f"{P}/{w['project']}/documents/{doc['id']}", headers=w["alice"]),
        404,
        "document_not_found",
    )


@pytest.mark.parametrize("settings", ["file"], indirect=True)
async def test_an_upload_may_arrive_slower_than_the_request_deadline(settings: Settings) -> None:
    """Upload routes get UPLOAD_TIMEOUT_S in place of REQUEST_TIMEOUT_S (here 0.3 s): a body that
    takes a second to arrive is still taken."""
    app = create_app(settings.model_copy(update={"REQUEST_TIMEOUT_S": 0.3}))
    data = samples.pdf()

    async def slowly() -> AsyncIterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\n\r\n'
        for i in range(0, len(data), len(data) // 4 + 1):
            await asyncio.sleep(0.25)
            yield data[i : i + len(data) // 4 + 1]
        yield b"\r\n--b--\r\n"

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            w = await world(client)
            headers = w["alice"] | {"content-type": "multipart/form-data; boundary=b"}
            started = time.monotonic()
            answer = await client.post(f"{P}/{w['project']}/documents", content=slowly(), headers=headers)
            assert answer.status_code == 201, answer.text
            assert time.monotonic() - started > 0.9


async def test_the_orphan_sweep_deletes_the_files_no_row_names_once_past_their_grace(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """A draft deleted with its documents loses their rows by cascade, in the database, which
    cannot reach the blob store: the sweep deletes those files, and keeps every file a document or
    a CV version still names, and any file younger than its grace period."""
    from mercenary.worker.sweep import sweep_once

    w = await world(client)
    alice, state = w["alice"], app.state.mercenary
    kept = await upload(client, w["project"], alice, "kept.pdf", samples.pdf("Kept", pages=1))
    assert kept.status_code == 201, kept.text
    cv = await client.post(
        "/api/v1/freelancers/me/cv", files={"file": ("cv.pdf", samples.pdf("CV", pages=1))}, headers=w["fred"]
    )
    assert cv.status_code == 202, cv.text
    draft = await client.post(P, json={"title": "Draft", "description": "d", "budget": 5}, headers=alice)
    assert draft.status_code == 201 and draft.json()["status"] == "draft", draft.text
    doomed = await upload(client, draft.json()["id"], alice, "doomed.pdf", samples.pdf("Doomed", pages=1))
    assert doomed.status_code == 201, doomed.text
    before = await stored_keys(app)
    assert (await client.delete(f"{P}/{draft.json()['id']}", headers=alice)).status_code == 204
    assert await stored_keys(app) == before and len(before) == 3  # the row went; its file stayed

    assert await sweep_once(state.db, state.blobs, grace_s=3_600) == 0  # every file is younger than an hour
    assert await sweep_once(state.db, state.blobs, grace_s=0) == 1
    named = {row["blob_key"] for row in await document_rows(app)}
    assert len(named) == 1 and named < before
    left = await stored_keys(app)
    assert len(left) == 2 and named < left  # the kept document's file and the CV's
    assert await sweep_once(state.db, state.blobs, grace_s=0) == 0  # nothing more to do
    got = await client.get(f"{P}/{w['project']}/documents/{kept.json()['id']}", headers=alice)
    assert got.status_code == 200 and got.content.startswith(b"%PDF-")


def test_the_sweep_knows_every_column_that_holds_a_blob_key() -> None:
    """A table added with a ``blob_key`` column and not added to the sweep's references would have
    its files swept as orphans."""
    from mercenary.db.metadata import metadata
    from mercenary.worker.sweep import REFERENCES

    holders = {
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
        if "blob" in column.name
    }
    assert holders == {f"{column.table.name}.{column.name}" for column in REFERENCES}
