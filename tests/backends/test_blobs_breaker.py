"""The breaker around blob storage (RES-3, backends/blobs/guarded.py) fails closed: once storage
failed, uploads and downloads get 503 at once without touching it, nothing is accepted that could
not be stored, and one probe after ``open_s`` closes it again. Unit level on the folder store, then
end to end against moto's S3 server killed and restarted under the API."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from mercenary.app import create_app
from mercenary.backends.blobs import (
    BlobNotFoundError,
    BlobTooLargeError,
    BlobUnavailableError,
    GuardedBlobStore,
    from_url,
)
from mercenary.backends.breaker import CircuitBreaker
from mercenary.documents.tables import project_documents
from tests.api.helpers import assert_problem, bearer, signup
from tests.conftest import make_settings
from tests.support import samples
from tests.support.servers import S3Server


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_storage_failures_open_the_breaker_and_a_probe_closes_it(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    root.write_text("a file where the folder should be: every write fails")
    store = GuardedBlobStore(from_url(f"file:///{root}"), CircuitBreaker("blobs", open_s=0.2))
    with pytest.raises(BlobUnavailableError, match="cannot write"):
        await store.put(chunks(b"x"), max_bytes=10)
    assert store.breaker.state_name == "open" and store.breaker.opened == 1
    for call in (store.put(chunks(b"x"), max_bytes=10), store.open("0" * 32), store.delete("0" * 32)):
        with pytest.raises(BlobUnavailableError, match="breaker is open"):  # refused without a try
            await call
    root.unlink()  # the storage is back
    await asyncio.sleep(0.25)
    blob = await store.put(chunks(b"back"), max_bytes=10)  # the probe
    assert store.breaker.state_name == "closed"
    assert b"".join([c async for c in await store.open(blob.key)]) == b"back"
    await store.delete(blob.key)
    assert [k async for k in store.iter_keys()] == []
    await store.ping()
    await store.close()


async def test_every_call_that_fails_on_storage_opens_it(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    root.write_text("not a folder")
    store = GuardedBlobStore(from_url(f"file:///{root}"), CircuitBreaker("blobs", open_s=0.0))
    for call in (store.open("0" * 32), store.delete("0" * 32)):  # open_s 0: each call is a probe
        with pytest.raises(BlobUnavailableError, match="cannot"):
            await call
    assert store.breaker.opened == 2


async def test_the_callers_errors_do_not_open_it(tmp_path: Path) -> None:
    store = GuardedBlobStore(from_url(f"file:///{tmp_path / 'blobs'}"))
    with pytest.raises(BlobTooLargeError):
        await store.put(chunks(b"x" * 20), max_bytes=10)
    with pytest.raises(BlobNotFoundError):
        await store.open("0" * 32)

    async def client_gone() -> AsyncIterator[bytes]:
        yield b"x"
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        await store.put(client_gone(), max_bytes=10)
    assert store.breaker.state_name == "closed" and store.breaker.opened == 0


async def test_a_read_that_fails_mid_stream_opens_it(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    store = GuardedBlobStore(from_url(f"file:///{root}"))
    blob = await store.put(chunks(b"x" * 10), max_bytes=100)
    stream = await store.open(blob.key)
    shutil.rmtree(root)  # the file is gone before the first chunk
    with pytest.raises(BlobNotFoundError):
        await anext(stream)
    assert store.breaker.state_name == "closed"  # a missing file is not a failing storage


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_uploads_fail_closed_while_s3_is_down_and_recover(database_url: str) -> None:
    server = S3Server.start()
    server.create_bucket("docs")
    settings = make_settings(database_url, BLOB_URL=server.url("docs"))
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                alice = bearer((await signup(client, "alice@example.com"))["access_token"])
                project = {"title": "Site", "description": "d", "budget": 1}
                posted = await client.post("/api/v1/projects", json=project, headers=alice)
                assert posted.status_code == 201, posted.text
                pid = posted.json()["id"]
                url = f"/api/v1/projects/{pid}/documents"
                kept = await client.post(url, files={"file": ("a.pdf", samples.pdf())}, headers=alice)
                assert kept.status_code == 201, kept.text
                ready = (await client.get("/ready")).json()
                assert ready["blobs"]["status"] == "up" and ready["blobs"]["backend"] == "s3"

                server.kill()
                refused = await client.post(url, files={"file": ("b.pdf", samples.pdf())}, headers=alice)
                assert_problem(refused, 503, "storage_unavailable")
                assert refused.headers["retry-after"] == "1"
                download = await client.get(f"{url}/{kept.json()['id']}", headers=alice)
                assert_problem(download, 503, "storage_unavailable")
                ready = await client.get("/ready")
                assert ready.status_code == 200  # the rest of the API serves: not a readiness gate
                assert ready.json()["blobs"]["status"] == "down"
                assert ready.json()["breakers"]["blobs"]["state"] in ("open", "half_open")
                app.state.metrics.publish()
                assert REGISTRY.get_sample_value("breaker_state", {"backend": "blobs"}) in (1, 2)
                rows = await app.state.mercenary.db.fetch_all(sa.select(project_documents.c.id))
                assert len(rows) == 1  # nothing accepted that could not be stored

                server.restart()
                server.create_bucket("docs")
                for _ in range(50):  # the breaker lets a probe through after a second
                    answer = await client.post(url, files={"file": ("c.pdf", samples.pdf())}, headers=alice)
                    if answer.status_code == 201:
                        break
                    assert_problem(answer, 503, "storage_unavailable")
                    await asyncio.sleep(0.1)
                assert answer.status_code == 201, answer.text
                assert app.state.mercenary.blobs.breaker.state_name == "closed"
    finally:
        server.stop()
