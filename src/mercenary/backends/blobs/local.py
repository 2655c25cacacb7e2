"""Blobs as files in a folder (``file:///var/blobs``), the default: nothing to run.

A blob lives at ``<root>/<key[:2]>/<key>`` (256 subfolders keep any one folder small). A put writes
``<root>/.partial/<key>`` first, and renames it into place once every byte is written and synced:
a reader never sees half a file, and a put that fails or passes its cap deletes its partial file.
The folder must not be one a web server serves; the keys are random, and the API streams blobs
only to callers its access rules allow.

File I/O runs in a worker thread, a megabyte at a time, so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import stat
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit

from mercenary.backends.blobs.base import (
    CHUNK_BYTES,
    BlobNotFoundError,
    BlobTooLargeError,
    BlobUnavailableError,
    StoredBlob,
    new_key,
    valid_key,
)

# Bytes gathered before one write in a worker thread: a thread hop per network chunk (~64 kB)
# would cost more than the write itself.
WRITE_BYTES = 1024 * 1024
PARTIAL = ".partial"
T = TypeVar("T")


def folder_of(url: str) -> Path:
    """The folder of a ``file:`` URL: ``file:///var/blobs`` is ``var/blobs`` (relative to the working
    directory), ``file:////srv/blobs`` is ``/srv/blobs``."""
    parts = urlsplit(url)
    if parts.netloc or not parts.path.startswith("/") or parts.path == "/":
        raise ValueError(
            f"a file blob URL is file:///relative/folder or file:////absolute/folder, not {url!r}"
        )
    return Path(parts.path[1:])


class FileBlobStore:
    """Blobs under one folder of the local file system."""

    name = "file"

    def __init__(self, root: Path) -> None:
        self.root = root
        self._partial = root / PARTIAL

    @classmethod
    def from_url(cls, url: str) -> FileBlobStore:
        """The store of a ``file:`` URL (its folder is created on first put)."""
        return cls(folder_of(url))

    def _path(self, key: str) -> Path:
        if not valid_key(key):
            raise BlobNotFoundError(key)
        return self.root / key[:2] / key

    async def put(self, chunks: AsyncIterable[bytes], *, max_bytes: int) -> StoredBlob:
        key = new_key()
        partial = self._partial / key
        digest = hashlib.sha256()
        size = 0
        pending: list[bytes] = []
        pending_bytes = 0
        out = await self._io(_create, partial)
        try:
            async for chunk in chunks:  # the stream's own errors go through as they are
                size += len(chunk)
                if size > max_bytes:
                    raise BlobTooLargeError(max_bytes)
                digest.update(chunk)
                pending.append(chunk)
                pending_bytes += len(chunk)
                if pending_bytes >= WRITE_BYTES:
                    await self._io(out.write, b"".join(pending))
                    pending, pending_bytes = [], 0
            await self._io(_finish, out, b"".join(pending), partial, self._path(key))
        except BaseException:
            # Cancelled, refused or failed: nothing stays behind (not shielded from a second
            # cancellation: an orphan partial file is harmless and swept with the folder).
            await asyncio.to_thread(_discard, out, partial)
            raise
        return StoredBlob(key, size, digest.hexdigest())

    async def _io(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` in a worker thread; a failure of the disk is the store's unavailability."""
        try:
            return await asyncio.to_thread(call, *args)
        except OSError as exc:
            raise BlobUnavailableError(f"cannot write under {self.root}: {exc}") from exc

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            await asyncio.to_thread(path.stat)
        except FileNotFoundError:
            raise BlobNotFoundError(key) from None
        except OSError as exc:
            raise BlobUnavailableError(f"cannot read {key}: {exc.strerror}") from exc
        return self._read(path, key)

    async def _read(self, path: Path, key: str) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:  # deleted between open() and the first chunk
            raise BlobNotFoundError(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        if not valid_key(key):
            return
        try:
            await asyncio.to_thread(self._path(key).unlink, True)
        except OSError as exc:
            raise BlobUnavailableError(f"cannot delete {key}: {exc.strerror}") from exc

    async def iter_keys(self, *, older_than_s: float = 0.0) -> AsyncIterator[str]:
        for path in await asyncio.to_thread(_stored, self.root, older_than_s):
            yield path

    async def ping(self) -> None:
        try:
            await asyncio.to_thread(self._partial.mkdir, parents=True, exist_ok=True)
            writable = await asyncio.to_thread(os.access, self._partial, os.W_OK)
        except OSError as exc:
            raise BlobUnavailableError(f"cannot use {self.root}: {exc.strerror}") from exc
        if not writable:
            raise BlobUnavailableError(f"{self.root} is not writable")

    async def close(self) -> None:
        return None

    async def clear(self) -> None:
        """Delete every blob (tests)."""
        await asyncio.to_thread(shutil.rmtree, self.root, True)


def _create(partial: Path) -> BinaryIO:
    partial.parent.mkdir(parents=True, exist_ok=True)
    return partial.open("xb")


def _finish(out: BinaryIO, tail: bytes, partial: Path, final: Path) -> None:
    with out:
        out.write(tail)
        out.flush()
        os.fsync(out.fileno())
    final.parent.mkdir(parents=True, exist_ok=True)
    partial.rename(final)


def _discard(out: BinaryIO, partial: Path) -> None:
    with contextlib.suppress(OSError):
        out.close()
    partial.unlink(missing_ok=True)


def _stored(root: Path, older_than_s: float) -> list[str]:
    if not root.is_dir():
        return []
    before = time.time() - older_than_s  # a blob's file is renamed into place once complete
    keys = []
    for path in root.glob("??/*"):
        if not valid_key(path.name):
            continue
        with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
            info = path.stat()
            if stat.S_ISREG(info.st_mode) and (older_than_s <= 0 or info.st_mtime <= before):
                keys.append(path.name)
    return keys
