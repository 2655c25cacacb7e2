"""The upload pipeline over HTTP (files/pipeline.py, files/multipart.py), on a bare Starlette app
with the folder blob store: what it accepts, what it refuses, and that a refusal stores nothing."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mercenary.backends.blobs import BlobStore, from_url
from mercenary.errors import MercenaryError
from mercenary.files import UploadPolicy, receive_upload
from mercenary.files import multipart as multipart_module
from tests.support import samples

POLICY = UploadPolicy(kinds=("pdf", "docx"), max_bytes=200_000)


class Boom(Exception):
    pass


@pytest.fixture
async def blobs(tmp_path: Path) -> AsyncIterator[BlobStore]:
    store = from_url(f"file:///{tmp_path / 'blobs'}")
    yield store
    await store.close()


@pytest.fixture
async def client(blobs: BlobStore) -> AsyncIterator[httpx.AsyncClient]:
    async def upload(request: Request) -> JSONResponse:
        try:
            async with receive_upload(request, blobs, POLICY) as stored:
                if stored.fields.get("fail") == "yes":  # the caller's transaction fails
                    raise Boom
                body = {
                    "key": stored.key,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    "type": stored.media_type,
                    "name": stored.filename,
                    "fields": stored.fields,
                }
                return JSONResponse(body, status_code=201)
        except MercenaryError as exc:
            return JSONResponse({"code": exc.code, **exc.extra}, status_code=exc.status)
        except Boom:
            return JSONResponse({"code": "boom"}, status_code=500)

    app = Starlette(routes=[Route("/upload", upload, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def stored(blobs: BlobStore) -> list[str]:
    return [key async for key in blobs.iter_keys()]


async def test_a_pdf_is_stored_with_its_checksum_type_and_name(
    client: httpx.AsyncClient, blobs: BlobStore
) -> None:
    data = samples.pdf(pages=2)
    answer = await client.post(
        "/upload",
        files={"file": ("../../etc/My CV", data, "text/html")},  # the declared type is ignored
        data={"title": "Résumé"},
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["size"] == len(data)
    assert (body["type"], body["name"], body["fields"]) == (
        "application/pdf",
        "My CV.pdf",
        {"title": "Résumé"},
    )
    assert await stored(blobs) == [body["key"]]
    assert b"".join([c async for c in await blobs.open(body["key"])]) == data


async def test_a_file_over_the_cap_spools_to_disk_and_is_stored(
    client: httpx.AsyncClient, blobs: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multipart_module, "SPOOL_MEMORY_BYTES", 1024)
    data = samples.docx(extra={"word/media/image.bin": os.urandom(100_000)})  # on disk past 1 kB
    answer = await client.post("/upload", files={"file": ("cv.docx", data)})
    assert answer.status_code == 201, answer.text
    assert answer.json()["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"", "cv.pdf", 422, "empty_file"),
        (samples.EXECUTABLE, "cv.pdf", 415, "unsupported_file_type"),
        (samples.pdf()[:300], "cv.pdf", 422, "corrupt_file"),
        (samples.pdf(), "cv.docx", 415, "file_type_mismatch"),
        (bytes(POLICY.max_bytes + 1), "cv.pdf", 413, "file_too_large"),
    ],
)
async def test_refused_files_leave_nothing_stored(
    client: httpx.AsyncClient, blobs: BlobStore, data: bytes, name: str, status: int, code: str
) -> None:
    answer = await client.post("/upload", files={"file": (name, data, "application/pdf")})
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert await stored(blobs) == []


async def test_a_streamed_body_is_cut_off_at_the_cap(client: httpx.AsyncClient, blobs: BlobStore) -> None:
    sent = 0

    async def body() -> AsyncIterator[bytes]:  # chunked, no Content-Length: counted as it arrives
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        for _ in range(1_000):
            sent += 1
            yield b"%PDF-" + bytes(16_379)
        yield b"\r\n--b--\r\n"

    answer = await client.post(
        "/upload", content=body(), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert (answer.status_code, answer.json()["code"]) == (413, "file_too_large")
    assert answer.json()["max_bytes"] == POLICY.max_bytes
    assert sent < 20  # the rest of the body was never read
    assert await stored(blobs) == []


async def test_a_declared_length_over_the_cap_is_refused_before_reading(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "multipart/form-data; boundary=b", "content-length": str(10**9)}
    answer = await client.post("/upload", content=b"--b--\r\n", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (413, "file_too_large")


@pytest.mark.parametrize(
    ("content_type", "body", "status", "code"),
    [
        ("application/json", b'{"file": "x"}', 415, "multipart_required"),
        ("multipart/form-data", b"--b--\r\n", 400, "malformed_upload"),  # no boundary
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
            400,
            "malformed_upload",
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-',
            400,
            "malformed_upload",
        ),
        ("multipart/form-data; boundary=b", b"garbage without boundaries", 400, "malformed_upload"),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nnot a file\r\n--b--\r\n',
            400,
            "malformed_upload",
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="doc"; filename="a.pdf"\r\n\r\n%PDF-\r\n--b--\r\n',
            400,
            "malformed_upload",
        ),
        (
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n",
            400,
            "malformed_upload",
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="t"\r\n\r\n\xff\xfe\r\n--b--\r\n',
            400,
            "malformed_upload",
        ),
    ],
    ids=[
        "json",
        "no-boundary",
        "no-file",
        "cut-short",
        "garbage",
        "file-not-a-file",
        "wrong-part",
        "no-disposition",
        "not-utf8",
    ],
)
async def test_malformed_bodies_are_refused(
    client: httpx.AsyncClient, blobs: BlobStore, content_type: str, body: bytes, status: int, code: str
) -> None:
    answer = await client.post("/upload", content=body, headers={"content-type": content_type})
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert await stored(blobs) == []


async def test_two_files_and_long_or_repeated_fields_are_refused(client: httpx.AsyncClient) -> None:
    pdf = samples.pdf()
    two = await client.post("/upload", files=[("file", ("a.pdf", pdf)), ("file", ("b.pdf", pdf))])
    assert two.json()["code"] == "malformed_upload"
    long = await client.post("/upload", files={"file": ("a.pdf", pdf)}, data={"title": "x" * 5_000})
    assert long.json()["code"] == "malformed_upload"
    many = await client.post("/upload", files={"file": ("a.pdf", pdf)}, data={f"f{i}": "x" for i in range(9)})
    assert many.json()["code"] == "malformed_upload"


async def test_a_failing_caller_deletes_the_stored_file(client: httpx.AsyncClient, blobs: BlobStore) -> None:
    answer = await client.post("/upload", files={"file": ("a.pdf", samples.pdf())}, data={"fail": "yes"})
    assert answer.json()["code"] == "boom"
    assert await stored(blobs) == []


async def test_storage_that_fails_is_a_503_and_stores_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    broken = from_url(f"file:///{blocker / 'blobs'}")

    async def upload(request: Request) -> JSONResponse:
        try:
            async with receive_upload(request, broken, POLICY):
                return JSONResponse({}, status_code=201)
        except MercenaryError as exc:
            return JSONResponse({"code": exc.code}, status_code=exc.status, headers=exc.headers)

    app = Starlette(routes=[Route("/upload", upload, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        answer = await c.post("/upload", files={"file": ("a.pdf", samples.pdf())})
    assert (answer.status_code, answer.json()["code"]) == (503, "storage_unavailable")
    assert answer.headers["retry-after"] == "1"
