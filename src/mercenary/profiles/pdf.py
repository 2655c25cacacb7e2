"""The PDF profile (DOM-9): what it shows, its version, and the cache of rendered files.

A profile's PDF shows its name, headline, rate, availability, skills, rating and bio. Its version
is a digest of exactly that content and of :data:`TEMPLATE_VERSION`, so the cached file is served
until something it shows changes (an edit, a skill, a review) and never after. A reader asking for
a version not rendered yet gets 202: the request is recorded and a ``profiles.render_pdf`` job
queued (once per version while it is fresh); the worker renders and stores the file.
Visibility is the public profile's: any signed-in user, 404 when there is no visible profile.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson

from mercenary.backends.queue import JobQueue, JobSpec
from mercenary.db import Database, Executor, IntegrityError
from mercenary.db.metadata import utcnow
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


@dataclass(frozen=True, slots=True)
class Rendered:
    """A cached PDF: its bytes and the version they show."""

    pdf: bytes
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
    state = await db.fetch_one(queries.pdf_state, user_id=user_id, version=version)
    if state is not None and state["pdf"] is not None:
        return Rendered(bytes(state["pdf"]), version)
    now = utcnow()
    if (
        state is not None
        and state["requested_version"] == version
        and state["requested_at"] > now - timedelta(seconds=REQUEST_FRESH_S)
    ):
        return None  # queued already
    try:
        async with db.transaction() as conn:
            if not await conn.execute(queries.request_pdf, user_id=user_id, version=version, now=now):
                await conn.execute(queries.insert_pdf_request, user_id=user_id, version=version, now=now)
            await queue.enqueue(conn, RENDER_PDF, user_id=user_id)
    except IntegrityError:  # another reader asked first (and rolled nothing back): its job renders it
        pass
    return None


async def rendered_version(db: Executor, user_id: int) -> str | None:
    """The version of the PDF stored for ``user_id``, if any."""
    value = await db.fetch_val(queries.pdf_version, user_id=user_id)
    return None if value is None else str(value)


async def store(db: Database, user_id: int, version: str, pdf: bytes) -> None:
    """Keep ``pdf`` as the profile's rendered ``version``."""
    params = {"user_id": user_id, "version": version, "pdf": pdf, "now": utcnow()}
    try:
        async with db.transaction() as conn:
            if not await conn.execute(queries.store_pdf, **params):
                await conn.execute(queries.insert_pdf, **params)
    except IntegrityError:  # a reader's request row appeared meanwhile: update it
        await db.execute(queries.store_pdf, **params)
