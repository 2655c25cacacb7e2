"""Profile jobs (run by the worker only): the PDF profile."""

from __future__ import annotations

import asyncio

from mercenary.errors import NotFoundError
from mercenary.profiles import pdf
from mercenary.state import AppState
from mercenary.worker.registry import job


@job(pdf.RENDER_PDF)
async def render_pdf(state: AppState, user_id: int) -> None:
    """Render the profile's current version unless it is stored already (idempotent: a second run
    finds it). The version is the digest of the content rendered, so a profile edited meanwhile is
    stored under the version it shows, and readers of the newer one ask again."""
    from mercenary.profiles.render import render_profile  # WeasyPrint: loaded by workers only

    try:
        content, version = await pdf.document(state.db, user_id)
    except NotFoundError:
        return  # the profile is gone (or its user deactivated): nothing to show
    if await pdf.rendered_version(state.db, user_id) == version:
        return
    # Layout is CPU work: in a thread, so the worker's event loop (other jobs' I/O) keeps going.
    body = await asyncio.to_thread(render_profile, content)
    await pdf.store(state.db, user_id, version, body)
