"""CV jobs (run by the worker only): ``cvs.parse`` reads an uploaded version's text in the parser's
sandbox (``parser.py``), finds the taxonomy's skills in it and stores both, or the reason it could
not. A document that breaks a limit is a ``failed`` version, not a failed job: only trouble of our
own (the database, blob storage) raises, and is retried.
"""

from __future__ import annotations

import asyncio
import logging
import time

from mercenary.backends.blobs.base import BlobNotFoundError, BlobStore
from mercenary.cvs import service
from mercenary.cvs.matching import SkillMatcher
from mercenary.cvs.parser import Limits, ParseFailure, Parser
from mercenary.settings import Settings
from mercenary.skills import service as skills
from mercenary.state import AppState
from mercenary.worker.registry import job

log = logging.getLogger("mercenary.jobs")

_parsers: dict[Limits, Parser] = {}


def parser_for(settings: Settings) -> Parser:
    """The worker's parser for these settings' limits (one fork server per process)."""
    limits = Limits(
        timeout_s=settings.CV_PARSE_TIMEOUT_S,
        memory_bytes=settings.CV_PARSE_MEMORY_MB * 2**20,
        max_pages=settings.CV_PARSE_MAX_PAGES,
        max_chars=settings.CV_PARSE_MAX_CHARS,
    )
    if limits not in _parsers:
        _parsers[limits] = Parser(limits)
    return _parsers[limits]


async def _read(blobs: BlobStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in await blobs.open(key)])


@job(service.PARSE)
async def parse(state: AppState, version_id: int) -> None:
    """Parse a CV version and store its text and proposed skills, or why it failed. Idempotent: a
    version already parsed or failed is left as it is, and of two runs only the first result counts."""
    started = time.perf_counter()
    version = await service.version_to_parse(state.db, version_id)
    if version is None or version["status"] != "pending":
        return
    try:
        data = await _read(state.blobs, version["blob_key"])
    except BlobNotFoundError:
        async with state.db.transaction() as conn:
            await service.store_failed(
                conn, version_id, code="missing_file", message="The uploaded file is no longer stored."
            )
        return
    read = time.perf_counter()
    try:
        result = await asyncio.to_thread(parser_for(state.settings).parse, data, version["media_type"])
    except ParseFailure as failure:
        log.info("cv version %d not parsed: %s (%s)", version_id, failure.reason, failure.message)
        async with state.db.transaction() as conn:
            await service.store_failed(conn, version_id, code=failure.reason, message=failure.message)
        return
    parsed = time.perf_counter()
    matcher = SkillMatcher.from_taxonomy(await skills.list_skills(state.db))
    found = matcher.find(result.text)
    async with state.db.transaction() as conn:
        await service.store_parsed(conn, version_id, text=result.text, pages=result.pages, skill_ids=found)
    done = time.perf_counter()
    log.info(
        "cv version %d parsed: %d pages, %d skills in %.3f s (read %.0f ms, parse %.0f ms, store %.0f ms)",
        version_id,
        result.pages,
        len(found),
        done - started,
        (read - started) * 1000,
        (parsed - read) * 1000,
        (done - parsed) * 1000,
    )
