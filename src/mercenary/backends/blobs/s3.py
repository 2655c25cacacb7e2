"""Blobs in an S3 bucket, or any S3-compatible server (MinIO, Ceph, moto), through aiobotocore.

``BLOB_URL=s3://bucket?endpoint=http://127.0.0.1:9000&region=eu-west-1&prefix=blobs/``: the bucket
must exist; ``endpoint`` (default: AWS's for the region) and ``prefix`` (default none) are
optional. Credentials come from the URL's user and password (``s3://KEY:SECRET@bucket``,
percent-encoded) or else from the AWS environment (``AWS_ACCESS_KEY_ID``, ..., or an instance role).

A put is one ``PutObject`` up to :data:`PART_BYTES`; a larger stream becomes a multipart upload of
parts of that size, so memory per upload stays under a part whatever the file. A put that fails or
passes its cap aborts its multipart upload (S3 drops the parts) and deletes the object.

Waits are bounded (RES-2): a second to connect, :data:`READ_TIMEOUT_S` for an answer, no retries
inside the client. Failures reach the caller as :class:`BlobUnavailableError` at once, and the
breaker around the store (``breaker.py``) stops further calls for a while.

This module is imported only when ``BLOB_URL`` says ``s3``: botocore's service models cost the
process about 30 MB of RSS (docs/files.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from mercenary.backends.blobs.base import (
    CHUNK_BYTES,
    BlobNotFoundError,
    BlobTooLargeError,
    BlobUnavailableError,
    StoredBlob,
    new_key,
    valid_key,
)

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedMultipartUploadTypeDef, CompletedPartTypeDef

PART_BYTES = 8 * 1024 * 1024  # S3 parts are at least 5 MiB (but the last)
CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 10.0  # an answer to a part of PART_BYTES may take a while on a slow link
MISSING = {"NoSuchKey", "404", "NotFound"}
T = TypeVar("T")
FAILURES = (BotoCoreError, ClientError, aiohttp.ClientError, OSError, asyncio.TimeoutError)


class S3BlobStore:
    """Blobs as objects ``<prefix><key>`` of one bucket."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint,
            "region_name": region or "us-east-1",
            "aws_access_key_id": access_key,
            "aws_secret_access_key": secret_key,
            "config": AioConfig(
                connect_timeout=CONNECT_TIMEOUT_S,
                read_timeout=READ_TIMEOUT_S,
                retries={"max_attempts": 1, "mode": "standard"},
                max_pool_connections=20,
                # Path-style URLs: S3-compatible servers on an address of their own have no
                # virtual host per bucket.
                s3={"addressing_style": "path" if endpoint else "auto"},
                # S3's integrity checksum only when an operation requires one (PutObject's CRC32
                # would read the stream a second time); the SHA-256 is counted here anyway.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        }
        self._client: S3Client | None = None
        self._stack = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()

    @classmethod
    def from_url(cls, url: str) -> S3BlobStore:
        """The store of an ``s3://`` URL."""
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError("an S3 blob URL names its bucket: s3://bucket?endpoint=...")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint", "region", "prefix"}
        if unknown:
            raise ValueError(f"unknown S3 blob URL options: {', '.join(sorted(unknown))}")
        return cls(
            parts.hostname,
            prefix=query.get("prefix", ""),
            endpoint=query.get("endpoint"),
            region=query.get("region"),
            access_key=unquote(parts.username) if parts.username else None,
            secret_key=unquote(parts.password) if parts.password else None,
        )

    async def _s3(self) -> S3Client:
        client = self._client
        if client is None:
            async with self._lock:
                client = self._client
                if client is None:
                    creating = get_session().create_client("s3", **self._options)
                    created: S3Client = await self._stack.enter_async_context(creating)
                    client = self._client = created
        return client

    def _name(self, key: str) -> str:
        if not valid_key(key):
            raise BlobNotFoundError(key)
        return self.prefix + key

    async def put(self, chunks: AsyncIterable[bytes], *, max_bytes: int) -> StoredBlob:
        key = new_key()
        name = self._name(key)
        digest = hashlib.sha256()
        size = 0
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[CompletedPartTypeDef] = []
        try:
            s3 = await _call(self._s3())
            async for chunk in chunks:  # the stream's own errors go through as they are
                size += len(chunk)
                if size > max_bytes:
                    raise BlobTooLargeError(max_bytes)
                digest.update(chunk)
                buffer += chunk
                if len(buffer) >= PART_BYTES:
                    if upload_id is None:
                        started = await _call(s3.create_multipart_upload(Bucket=self.bucket, Key=name))
                        upload_id = started["UploadId"]
                    parts.append(await self._part(s3, name, upload_id, len(parts) + 1, buffer))
                    buffer = bytearray()
            if upload_id is None:
                await _call(s3.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer)))
            else:
                if buffer:
                    parts.append(await self._part(s3, name, upload_id, len(parts) + 1, buffer))
                done: CompletedMultipartUploadTypeDef = {"Parts": parts}
                await _call(
                    s3.complete_multipart_upload(
                        Bucket=self.bucket, Key=name, UploadId=upload_id, MultipartUpload=done
                    )
                )
        except BaseException:
            await self._discard(name, upload_id)
            raise
        return StoredBlob(key, size, digest.hexdigest())

    async def _part(
        self, s3: S3Client, name: str, upload_id: str, number: int, body: bytearray
    ) -> CompletedPartTypeDef:
        done = await _call(
            s3.upload_part(
                Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=bytes(body)
            )
        )
        return {"ETag": done["ETag"], "PartNumber": number}

    async def _discard(self, name: str, upload_id: str | None) -> None:
        """Best effort: leave nothing of a failed put (a storage that is down keeps an orphan
        multipart upload, which a bucket lifecycle rule expires)."""
        if self._client is None:
            return
        with contextlib.suppress(*FAILURES):
            if upload_id is not None:
                await self._client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            await self._client.delete_object(Bucket=self.bucket, Key=name)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        name = self._name(key)
        try:
            s3 = await self._s3()
            answer = await s3.get_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                raise BlobNotFoundError(key) from None
            raise BlobUnavailableError(f"S3 get failed: {exc}") from exc
        except FAILURES as exc:
            raise BlobUnavailableError(f"S3 get failed: {exc}") from exc
        return _stream(answer["Body"])

    async def delete(self, key: str) -> None:
        if not valid_key(key):
            return
        try:
            s3 = await self._s3()
            await s3.delete_object(Bucket=self.bucket, Key=self._name(key))
        except FAILURES as exc:
            raise BlobUnavailableError(f"S3 delete failed: {exc}") from exc

    async def iter_keys(self, *, older_than_s: float = 0.0) -> AsyncIterator[str]:
        before = datetime.now(UTC) - timedelta(seconds=older_than_s)
        try:
            s3 = await self._s3()
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
            async for page in pages:
                for item in page.get("Contents", []):
                    key = item.get("Key", "")[len(self.prefix) :]
                    modified = item.get("LastModified")
                    if older_than_s > 0 and (modified is None or modified > before):
                        continue
                    if valid_key(key):
                        yield key
        except FAILURES as exc:
            raise BlobUnavailableError(f"S3 list failed: {exc}") from exc

    async def ping(self) -> None:
        try:
            s3 = await self._s3()
            await s3.head_bucket(Bucket=self.bucket)
        except FAILURES as exc:
            raise BlobUnavailableError(f"S3 bucket {self.bucket} cannot be reached: {exc}") from exc

    async def close(self) -> None:
        self._client = None
        await self._stack.aclose()


async def _call(call: Awaitable[T]) -> T:
    """Await one call to S3; its failure is the store's unavailability."""
    try:
        return await call
    except FAILURES as exc:
        raise BlobUnavailableError(f"S3 failed: {exc}") from exc


async def _stream(body: Any) -> AsyncIterator[bytes]:
    """The object's bytes; the connection goes back to the pool when the stream ends or is closed."""
    try:
        async for chunk in body.iter_chunks(CHUNK_BYTES):
            yield chunk
    except FAILURES as exc:
        raise BlobUnavailableError(f"S3 read failed: {exc}") from exc
    finally:
        body.close()
