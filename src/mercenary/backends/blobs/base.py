"""The blob storage contract: opaque files (uploads, rendered PDFs) under random keys.

A store puts a stream of bytes under a key it makes up, returning the key, the size and the SHA-256
it counted on the way; it opens a stored blob as a stream, deletes one, and lists its keys (for
sweeps and tests, never on the request path). A put that goes past its byte cap, or fails half way,
leaves nothing behind. The store is chosen by ``BLOB_URL``: the mapping below is data and the
implementation is imported when the process opens it, so the API never loads the S3 client unless
``BLOB_URL`` says ``s3://``.
"""

from __future__ import annotations

import importlib
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

# Scheme -> "module:Class"; the class has a ``from_url(url)`` constructor.
SCHEMES = {
    "file": "mercenary.backends.blobs.local:FileBlobStore",
    "s3": "mercenary.backends.blobs.s3:S3BlobStore",
}

# A key is 32 lowercase hex digits (128 random bits): nothing about the file (its name, its owner)
# can be read from it or guessed, and it is safe as a file name and as an S3 object name.
KEY = re.compile(r"^[0-9a-f]{32}$")

# Bytes a stored blob is read in.
CHUNK_BYTES = 64 * 1024


def new_key() -> str:
    """A fresh random key."""
    return secrets.token_hex(16)


def valid_key(key: str) -> bool:
    """Whether ``key`` has the shape of a key this module makes (anything else is never stored)."""
    return KEY.fullmatch(key) is not None


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """What a put stored: its key, its size in bytes and the hex SHA-256 of its bytes."""

    key: str
    size: int
    sha256: str


class BlobError(Exception):
    """The base of the store's errors (internal: callers turn them into their own answers)."""


class BlobNotFoundError(BlobError):
    """No blob has this key (or the key is not one a store makes)."""


class BlobTooLargeError(BlobError):
    """The stream passed the put's byte cap; nothing was stored."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the stream is larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


class BlobUnavailableError(BlobError):
    """The storage cannot be reached or failed (a network error, a full disk, a refused request)."""


class UnsupportedBlobStoreError(ValueError):
    """BLOB_URL names no known store."""


class BlobStore(Protocol):
    """Opaque bytes under random keys. Every method may raise :class:`BlobUnavailableError`."""

    name: str  # "file" or "s3", as /ready and the metrics show it

    async def put(self, chunks: AsyncIterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Store the bytes of ``chunks`` under a new key. Past ``max_bytes`` the put stops with
        :class:`BlobTooLargeError`; on that or any other failure nothing is left stored."""
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The blob's bytes, in chunks. Raises :class:`BlobNotFoundError` here, before the first
        chunk, when there is no such blob (a caller can still answer 404)."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the blob; a key that is not stored is no error (deleting twice is safe)."""
        ...

    def iter_keys(self, *, older_than_s: float = 0.0) -> AsyncIterator[str]:
        """Every stored key, in no order (orphan sweeps and tests); with ``older_than_s``, only
        the blobs stored at least that many seconds ago."""
        ...

    async def ping(self) -> None:
        """Raise :class:`BlobUnavailableError` if the storage cannot be used now."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def from_url(url: str) -> BlobStore:
    """The store ``url`` names: ``file:///var/blobs`` (a folder: three slashes before a relative
    path, four before an absolute one, as in SQLite URLs) or ``s3://bucket?endpoint=...`` (S3 or
    any S3-compatible server; ``s3.py``). Connections open lazily."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise UnsupportedBlobStoreError(f"unsupported blob store {scheme!r}; use file:/// or s3://")
    module, _, name = SCHEMES[scheme].partition(":")
    cls = getattr(importlib.import_module(module), name)
    store: BlobStore = cls.from_url(url)
    return store
