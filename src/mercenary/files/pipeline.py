"""The upload pipeline: one function that every upload route calls (project documents, CVs).

``receive_upload(request, blobs, policy)`` reads the multipart body as it streams into a spool
(``multipart.py``: byte cap, never the whole body in memory), judges the file by its bytes
(``content.py``: magic-byte type, PDF trailer, DOCX zip-bomb limits, empty files), and only then
puts it in blob storage, where the store counts its size and SHA-256. A refused upload never
reaches storage; a put that fails leaves nothing (the store's contract). It is an async context
manager: the caller records the stored file inside the block, and when the block fails (the
transaction that records the file rolls back) the blob is deleted again::

    async with receive_upload(request, state.blobs, POLICY) as upload:
        async with state.db.transaction() as conn:
            await queries.insert(conn, key=upload.key, size=upload.size, ...)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from starlette.requests import Request

from mercenary.backends.blobs import BlobStore, BlobTooLargeError, BlobUnavailableError
from mercenary.files.content import Kind, ZipLimits, sniff, stored_name
from mercenary.files.errors import FileTooLargeError, StorageUnavailableError
from mercenary.files.multipart import ReceivedForm, read_form

log = logging.getLogger("mercenary.files")

READ_BYTES = 256 * 1024  # what the spool is read in when it goes to storage


@dataclass(frozen=True, slots=True)
class UploadPolicy:
    """What one upload route accepts: the kinds (``content.KINDS`` names) and the largest file."""

    kinds: tuple[str, ...]
    max_bytes: int
    zip_limits: ZipLimits = field(default_factory=ZipLimits)


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """An accepted, stored file: its blob key, size and SHA-256, the type its bytes showed, the name
    a download gives it, and the form's text fields."""

    key: str
    size: int
    sha256: str
    kind: Kind
    filename: str
    fields: dict[str, str]

    @property
    def media_type(self) -> str:
        """The file's media type, as its bytes say."""
        return self.kind.media_type


async def _judge(form: ReceivedForm, policy: UploadPolicy) -> Kind:
    args = (form.spool, form.size, form.filename, policy.kinds, policy.zip_limits)
    kind = await asyncio.to_thread(sniff, *args) if form.on_disk() else sniff(*args)
    form.spool.seek(0)
    return kind


async def _chunks(form: ReceivedForm) -> AsyncIterator[bytes]:
    on_disk = form.on_disk()
    while True:
        chunk = (
            await asyncio.to_thread(form.spool.read, READ_BYTES) if on_disk else form.spool.read(READ_BYTES)
        )
        if not chunk:
            return
        yield chunk


@contextlib.asynccontextmanager
async def receive_upload(
    request: Request, blobs: BlobStore, policy: UploadPolicy
) -> AsyncIterator[StoredUpload]:
    """The file of ``request``'s multipart body, judged and stored; deleted again if the block fails.

    Raises (before anything is stored) 415 ``multipart_required``, 400 ``malformed_upload``, 413
    ``file_too_large``, 422 ``empty_file``, 415 ``unsupported_file_type`` / ``file_type_mismatch``,
    422 ``corrupt_file`` / ``unsafe_archive``, and 503 ``storage_unavailable`` when the blob store
    fails or its breaker is open."""
    form = await read_form(request, max_bytes=policy.max_bytes)
    try:
        kind = await _judge(form, policy)
        try:
            blob = await blobs.put(_chunks(form), max_bytes=policy.max_bytes)
        except BlobTooLargeError:
            raise FileTooLargeError(policy.max_bytes) from None
        except BlobUnavailableError as exc:
            log.warning("upload refused: blob storage failed: %s", exc)
            raise StorageUnavailableError("File storage is unavailable; retry shortly.") from None
    finally:
        form.spool.close()
    upload = StoredUpload(
        blob.key, blob.size, blob.sha256, kind, stored_name(form.filename, kind), dict(form.fields)
    )
    try:
        yield upload
    except BaseException:
        await discard(blobs, upload.key)
        raise


async def discard(blobs: BlobStore, key: str) -> None:
    """Delete a stored blob nothing refers to, shielded from the caller's cancellation (a request
    past its deadline still cleans up); a failure is logged, and leaves an orphan for a sweep."""
    try:
        await asyncio.shield(blobs.delete(key))
    except (BlobUnavailableError, asyncio.CancelledError) as exc:
        log.warning("blob %s left behind (orphan): %s", key, type(exc).__name__)
