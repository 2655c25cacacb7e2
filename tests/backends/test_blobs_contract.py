"""The blob stores (SEC-3): one contract suite over the folder store and S3 (moto's server on a
loopback port, spoken to over HTTP), then what only one of them does."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from mercenary.backends.blobs import (
    BlobNotFoundError,
    BlobStore,
    BlobTooLargeError,
    BlobUnavailableError,
    UnsupportedBlobStoreError,
    from_url,
    local,
    s3,
)
from tests.support.servers import S3Server


async def chunks_of(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        await asyncio.sleep(0)
        yield part


async def read_all(store: BlobStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in await store.open(key)])


async def stored_keys(store: BlobStore) -> set[str]:
    return {key async for key in store.iter_keys()}


@pytest.fixture(params=["file", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "file":
        url = f"file:///{tmp_path / 'blobs'}"
    else:
        server: S3Server = request.getfixturevalue("s3_server")
        bucket = f"test-{uuid.uuid4().hex[:12]}"  # a bucket per test keeps tests apart
        server.create_bucket(bucket)
        url = server.url(bucket, prefix="blobs/")
    opened = from_url(url)
    assert opened.name == request.param
    yield opened
    await opened.close()


async def test_put_then_open_returns_the_bytes_with_size_and_checksum(store: BlobStore) -> None:
    data = os.urandom(200_000)
    blob = await store.put(chunks_of([data[:1], data[1:70_000], data[70_000:]]), max_bytes=len(data))
    assert blob.size == len(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert len(blob.key) == 32 and int(blob.key, 16) >= 0
    assert await read_all(store, blob.key) == data
    assert await stored_keys(store) == {blob.key}
    await store.ping()


async def test_keys_are_random_and_blobs_apart(store: BlobStore) -> None:
    first = await store.put(chunks_of([b"one"]), max_bytes=10)
    second = await store.put(chunks_of([b"one"]), max_bytes=10)  # same bytes, another blob
    assert first.key != second.key and first.sha256 == second.sha256
    await store.delete(first.key)
    assert await read_all(store, second.key) == b"one"
    assert await stored_keys(store) == {second.key}


async def test_an_empty_stream_is_stored_empty(store: BlobStore) -> None:
    blob = await store.put(chunks_of([]), max_bytes=10)
    assert (blob.size, blob.sha256) == (0, hashlib.sha256(b"").hexdigest())
    assert await read_all(store, blob.key) == b""


async def test_a_stream_past_its_cap_is_refused_and_leaves_nothing(store: BlobStore) -> None:
    with pytest.raises(BlobTooLargeError) as refused:
        await store.put(chunks_of([b"x" * 600, b"y" * 600]), max_bytes=1_000)
    assert refused.value.max_bytes == 1_000
    assert await stored_keys(store) == set()
    exact = await store.put(chunks_of([b"x" * 1_000]), max_bytes=1_000)  # the cap itself is allowed
    assert exact.size == 1_000


async def test_a_stream_that_fails_half_way_leaves_nothing(store: BlobStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"a" * 10_000
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        await store.put(broken(), max_bytes=1_000_000)
    assert await stored_keys(store) == set()


async def test_a_large_stream_goes_in_parts(store: BlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small parts and writes, so the multipart upload and the buffered writes run on a small file
    # (S3 refuses parts under 5 MiB but the last: moto does too, so one real-size part is sent).
    monkeypatch.setattr(local, "WRITE_BYTES", 4096)
    data = os.urandom(s3.PART_BYTES + 300_000)
    blob = await store.put(
        chunks_of(data[i : i + 65_536] for i in range(0, len(data), 65_536)), max_bytes=len(data)
    )
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert await read_all(store, blob.key) == data


async def test_a_large_stream_past_its_cap_aborts_its_parts(store: BlobStore) -> None:
    data = b"z" * (s3.PART_BYTES + 65_536)
    with pytest.raises(BlobTooLargeError):
        await store.put(chunks_of([data, b"more"]), max_bytes=len(data))
    assert await stored_keys(store) == set()


async def test_unknown_and_malformed_keys_are_not_found(store: BlobStore) -> None:
    for key in ("0" * 32, "../../etc/passwd", "ABCDEF" * 6, ""):
        with pytest.raises(BlobNotFoundError):
            await store.open(key)
        await store.delete(key)  # deleting what is not there is no error


async def test_a_blob_deleted_is_gone(store: BlobStore) -> None:
    blob = await store.put(chunks_of([b"gone"]), max_bytes=10)
    await store.delete(blob.key)
    await store.delete(blob.key)
    with pytest.raises(BlobNotFoundError):
        await store.open(blob.key)


async def test_keys_can_be_listed_by_age(store: BlobStore) -> None:
    """What the orphan sweep reads: only the blobs stored at least ``older_than_s`` ago."""
    blob = await store.put(chunks_of([b"young"]), max_bytes=10)
    assert {key async for key in store.iter_keys(older_than_s=3_600)} == set()
    assert {key async for key in store.iter_keys(older_than_s=0)} == {blob.key}


async def test_a_folder_store_lists_a_blob_by_its_file_age(tmp_path: Path) -> None:
    store = from_url(f"file:///{tmp_path}")
    old, young = [await store.put(chunks_of([b"x"]), max_bytes=1) for _ in range(2)]
    two_hours_ago = time.time() - 7_200
    os.utime(tmp_path / old.key[:2] / old.key, (two_hours_ago, two_hours_ago))
    assert {key async for key in store.iter_keys(older_than_s=3_600)} == {old.key}
    assert await stored_keys(store) == {old.key, young.key}


def test_unknown_schemes_and_bad_urls_are_refused() -> None:
    with pytest.raises(UnsupportedBlobStoreError, match="ftp"):
        from_url("ftp://example.org/blobs")
    for bad in ("file://host/blobs", "file:///", "file:relative"):
        with pytest.raises(ValueError, match="file blob URL"):
            from_url(bad)
    with pytest.raises(ValueError, match="names its bucket"):
        from_url("s3:///?endpoint=http://127.0.0.1:1")
    with pytest.raises(ValueError, match="unknown S3 blob URL options: colour"):
        from_url("s3://bucket?colour=blue")


def test_file_urls_name_relative_and_absolute_folders() -> None:
    assert local.folder_of("file:///var/blobs") == Path("var/blobs")
    assert local.folder_of("file:////srv/blobs") == Path("/srv/blobs")


def test_s3_urls_carry_credentials_region_and_prefix() -> None:
    store = s3.S3BlobStore.from_url(
        "s3://AK%2F1:s%40cret@bucket?endpoint=http://127.0.0.1:9&region=eu-west-1&prefix=p/"
    )
    assert (store.bucket, store.prefix) == ("bucket", "p/")
    options = store._options
    assert (options["aws_access_key_id"], options["aws_secret_access_key"]) == ("AK/1", "s@cret")
    assert (options["endpoint_url"], options["region_name"]) == ("http://127.0.0.1:9", "eu-west-1")


async def test_a_folder_that_cannot_be_written_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = from_url(f"file:///{blocker / 'blobs'}")
    with pytest.raises(BlobUnavailableError):
        await store.ping()
    with pytest.raises(BlobUnavailableError):
        await store.put(chunks_of([b"x"]), max_bytes=10)
    assert await stored_keys(store) == set()


async def test_an_s3_server_that_is_down_is_unavailable_at_once(s3_server: S3Server) -> None:
    server = S3Server.start()
    server.create_bucket("down")
    store = from_url(server.url("down"))
    blob = await store.put(chunks_of([b"kept"]), max_bytes=10)
    server.kill()
    try:
        for call in (
            store.ping(),
            store.put(chunks_of([b"x"]), max_bytes=10),
            store.open(blob.key),
            store.delete(blob.key),
        ):
            with pytest.raises(BlobUnavailableError):
                await call
        with pytest.raises(BlobUnavailableError):
            await stored_keys(store)
        with pytest.raises(BlobNotFoundError):
            await from_url(server.url("down")).open("bad key")  # refused before any call
    finally:
        await store.close()
        server.stop()


async def test_an_s3_bucket_that_does_not_exist_is_unavailable(s3_server: S3Server) -> None:
    store = from_url(s3_server.url(f"missing-{uuid.uuid4().hex[:8]}"))
    try:
        with pytest.raises(BlobUnavailableError):
            await store.ping()
        with pytest.raises(BlobUnavailableError):
            await store.open("0" * 32)
    finally:
        await store.close()
