"""Profile jobs (run by the worker only): the PDF profile."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from mercenary.backends.blobs import BlobError
from mercenary.errors import NotFoundError
from mercenary.profiles import pdf, render_pool
from mercenary.state import AppState
from mercenary.worker.registry import job

log = logging.getLogger("mercenary.jobs")


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


@job(pdf.RENDER_PDF)
async def render_pdf(state: AppState, user_id: int) -> None:
    """Render the profile's current version unless it is stored already (idempotent: a second run
    finds it). The version is the digest of the content rendered, so a profile edited meanwhile is
    stored under the version it shows, and readers of the newer one ask again. The file goes to
    blob storage; the previous version's file is deleted once the new one is recorded."""
    try:
        content, version = await pdf.document(state.db, user_id)
    except NotFoundError:
        return  # the profile is gone (or its user deactivated): nothing to show
    stored_version, old_key = await pdf.rendered(state.db, user_id)
    if stored_version == version:
        return
    # Layout is CPU work, in a render process (render_pool.py): the worker's event loop and its
    # memory stay free of it.
    settings = state.settings
    renderer = render_pool.pool_for(
        settings.RENDER_PROCESSES, settings.RENDER_MEMORY_MB, settings.RENDER_TASKS_PER_PROCESS
    )
    body = await renderer.render(content)
    blob = await state.blobs.put(_one(body), max_bytes=pdf.MAX_PDF_BYTES)  # unavailable: retried
    try:
        await pdf.store(state.db, user_id, version, blob.key, blob.size)
    except BaseException:
        with contextlib.suppress(BlobError):  # not recorded: leave no orphan behind
            await state.blobs.delete(blob.key)
        raise
    if old_key is not None:
        try:
            await state.blobs.delete(old_key)
        except BlobError as exc:  # an orphan file, not a wrong answer
            log.warning("profile %d: the previous PDF %s was not deleted (%r)", user_id, old_key, exc)
