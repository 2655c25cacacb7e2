"""The PDF profile (DOM-9): what it shows, its version, and the cache of rendered files.

A profile's PDF shows its name, headline, rate, availability, skills, rating and bio. Its version
is a digest of exactly that content and of :data:`TEMPLATE_VERSION`, so the cached file is served
until something it shows changes (an edit, a skill, a review) and never after. A reader asking for
a version not rendered yet gets 202: the request is recorded and a ``profiles.render_pdf`` job
queued (once per version while it is fresh); the worker renders the file into blob storage
(``BLOB_URL``) and records its key here, then deletes the previous version's file.
Visibility is the public profile's: any signed-in user, 404 when there is no visible profile.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson

from mercenary.backends.blobs import BlobNotFoundError, BlobStore, BlobUnavailableError
from mercenary.backends.queue import JobQueue, JobSpec
from mercenary.db import Connection, Database, Executor, IntegrityError, run_transaction
from mercenary.db.metadata import utcnow
from mercenary.files.errors import StorageUnavailableError
from mercenary.profiles import queries
from mercenary.profiles import service as profiles
from mercenary.reviews import service as reviews

# Bump when templates/profile.html or profile.css changes: every cached PDF is then rendered again.
TEMPLATE_VERSION = "1"
# A reader waits for a render (high: < 1 min, JOB-2); the lease is far above its p95 (~0.1 s).
RENDER_PDF = JobSpec("profiles.render_pdf", priority="high", lease_s=60, max_retries=3, min_backoff_s=2)
# A render asked for this long ago and not done is asked for again (its job was lost or dead).
REQUEST_FRESH_S = 60.0
# What a 202 tells the reader to wait: a render takes well under a second once a worker has it.
RETRY_AFTER_S = 1


# A one-page profile is about 20 KB; anything near this is a template gone wrong.
MAX_PDF_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Rendered:
    """A cached PDF: where it is stored, its size, and the version it shows."""

    blob_key: str
    size: int
    version: str


async def document(db: Executor, user_id: int) -> tuple[dict[str, Any], str]:
    """What the PDF of ``user_id`` shows, and its version; 404 without a visible profile."""
    row = await profiles.get_profile(db, user_id)
    content = {
        "user_id": int(row["user_id"]),
        "name": row["name"],
        "headline": row["headline"],
        "bio": row["bio"],
        "hourly_rate": int(row["hourly_rate"]),
        "availability": row["availability"],
        "skills": list(row["skills"]),
        "rating": await reviews.stored_rating(db, user_id),
    }
    digest = hashlib.sha256(orjson.dumps([TEMPLATE_VERSION, content], option=orjson.OPT_SORT_KEYS))
    return content, digest.hexdigest()[:32]


async def cached_or_requested(db: Database, queue: JobQueue, user_id: int) -> Rendered | None:
    """The PDF of the profile's current version when it is rendered; else None, after making sure
    a render of that version is queued."""
    _, version = await document(db, user_id)
    state = await db.fetch_one(queries.pdf_state, user_id=user_id)
    if state is not None and state["version"] == version and state["blob_key"] is not None:
        return Rendered(state["blob_key"], int(state["size"]), version)
    now = utcnow()
    if (
        state is not None
        and state["requested_version"] == version
        and state["requested_at"] > now - timedelta(seconds=REQUEST_FRESH_S)
    ):
        return None  # queued already
    await request_render(db, queue, user_id, version)
    return None


async def open_file(
    db: Database, queue: JobQueue, blobs: BlobStore, user_id: int
) -> tuple[Rendered, AsyncIterator[bytes]] | None:
    """The current PDF of ``user_id``'s profile and its bytes, streamed from blob storage; None while
    it renders (a render is then queued, and one whose stored file went missing is redone). Raises
    :class:`StorageUnavailableError` when storage cannot be read. What the API's and the pages'
    download routes both serve."""
    found = await cached_or_requested(db, queue, user_id)
    if found is None:
        return None
    try:
        return found, await blobs.open(found.blob_key)
    except BlobNotFoundError:  # the file went missing: render it again
        await request_render(db, queue, user_id, found.version, missing_key=found.blob_key)
        return None
    except BlobUnavailableError:
        raise StorageUnavailableError("File storage is unavailable; retry shortly.") from None


def download_headers(found: Rendered, user_id: int) -> dict[str, str]:
    """The headers of a PDF download: a file name, its length, its version as the ETag."""
    return {
        "Content-Disposition": f'attachment; filename="profile-{user_id}.pdf"',
        "Content-Length": str(found.size),
        "ETag": f'"{found.version}"',
        "Cache-Control": "private, no-cache",
    }


async def request_render(
    db: Database, queue: JobQueue, user_id: int, version: str, *, missing_key: str | None = None
) -> None:
    """Record that ``version`` is wanted and queue its render; ``missing_key``: the stored file that
    went missing, forgotten so that the job renders it again."""
    now = utcnow()

    async def unit(conn: Connection) -> None:
        if missing_key is not None:
            await conn.execute(queries.forget_pdf, user_id=user_id, missing_key=missing_key)
        if not await conn.execute(queries.request_pdf, user_id=user_id, version=version, now=now):
            await conn.execute(queries.insert_pdf_request, user_id=user_id, version=version, now=now)
        await queue.enqueue(conn, RENDER_PDF, user_id=user_id)

    # IntegrityError: another reader asked first (and rolled nothing back): its job renders it.
    with contextlib.suppress(IntegrityError):
        await run_transaction(db, unit, what="a PDF request")


async def rendered(db: Executor, user_id: int) -> tuple[str | None, str | None]:
    """The version of the PDF stored for ``user_id`` and its blob's key, if any."""
    row = await db.fetch_one(queries.pdf_version, user_id=user_id)
    return (None, None) if row is None else (row["version"], row["blob_key"])


async def store(db: Database, user_id: int, version: str, blob_key: str, size: int) -> None:
    """Record the blob ``blob_key`` as the profile's rendered ``version``."""
    params = {"user_id": user_id, "version": version, "blob_key": blob_key, "size": size, "now": utcnow()}
    try:
        async with db.transaction() as conn:
            if not await conn.execute(queries.store_pdf, **params):
                await conn.execute(queries.insert_pdf, **params)
    except IntegrityError:  # a reader's request row appeared meanwhile: update it
        await db.execute(queries.store_pdf, **params)
