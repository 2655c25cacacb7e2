"""The orphan sweep: stored blobs that no row refers to are deleted.

A blob becomes an orphan when the rows that named it go while it stays: a draft project deleted
with its documents (a cascade in the database, which cannot reach the blob store), a delete whose
after-commit removal failed (the store was down), a process killed between storing an upload and
recording it. Each of those paths keeps the rule "never a row without its file"; the sweep removes
what that rule leaves behind.

A blob is swept only when it is older than ``BLOB_SWEEP_GRACE_S`` (an upload stores its blob a
moment before the transaction that records it commits) and none of :data:`REFERENCES` names it.
Keys are checked in batches against indexed columns, so a sweep reads the store's listing once and
the database a few hundred keys at a time. Workers run it every ``BLOB_SWEEP_INTERVAL_S``
(several workers sweeping at once delete the same orphans twice, which is harmless); ``mercenary
sweep-blobs`` runs it once.
"""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa

from mercenary.backends.blobs import BlobStore
from mercenary.cvs.tables import cv_versions
from mercenary.db import Executor, Query
from mercenary.documents.tables import project_documents
from mercenary.profiles.tables import profile_pdfs
from mercenary.state import AppState

log = logging.getLogger("mercenary.jobs")

# Every column that holds a blob key. A new one must be added here, or its blobs are swept.
REFERENCES = (cv_versions.c.blob_key, project_documents.c.blob_key, profile_pdfs.c.blob_key)

BATCH = 500

referenced = Query(
    "blobs.referenced",
    sa.union(
        *(
            sa.select(column.label("key")).where(column.in_(sa.bindparam("keys", expanding=True)))
            for column in REFERENCES
        )
    ),
)


async def _orphans(db: Executor, keys: list[str]) -> list[str]:
    used = {row["key"] for row in await db.fetch_all(referenced, keys=keys)}
    return [key for key in keys if key not in used]


async def _delete(db: Executor, blobs: BlobStore, batch: list[str]) -> int:
    orphans = await _orphans(db, batch)
    for key in orphans:
        await blobs.delete(key)
    return len(orphans)


async def sweep_once(db: Executor, blobs: BlobStore, *, grace_s: float) -> int:
    """Delete the blobs older than ``grace_s`` that no row names; how many were deleted."""
    deleted, batch = 0, []
    async for key in blobs.iter_keys(older_than_s=grace_s):
        batch.append(key)
        if len(batch) == BATCH:
            deleted += await _delete(db, blobs, batch)
            batch = []
    if batch:
        deleted += await _delete(db, blobs, batch)
    if deleted:
        log.warning("orphan sweep: deleted %d blob(s) no row refers to", deleted)
    return deleted


async def sweep_forever(state: AppState) -> None:
    """Sweep now, then every ``BLOB_SWEEP_INTERVAL_S`` until cancelled; a failed sweep (the store
    or the database unavailable) waits for the next."""
    settings = state.settings
    while True:
        try:
            await sweep_once(state.db, state.blobs, grace_s=settings.BLOB_SWEEP_GRACE_S)
        except Exception as exc:
            log.warning("orphan sweep failed (%r); next in %.0f s", exc, settings.BLOB_SWEEP_INTERVAL_S)
        await asyncio.sleep(settings.BLOB_SWEEP_INTERVAL_S)
