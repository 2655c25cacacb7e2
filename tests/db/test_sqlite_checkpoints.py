"""SQLite's checkpoints happen off the event loop: a COMMIT never copies the write-ahead log into
the database file (with its fsync) on the loop; the checkpointer does it in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mercenary.db import Database, open_database, sqlite
from tests.conftest import make_settings

ROWS = 1_500  # 4 KB each: the log passes SQLite's automatic checkpoint (1,000 pages) on the way
BLOB = sa.text("INSERT INTO checkpoint_probe (data) VALUES (randomblob(4000))")


async def _write(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(sa.text("CREATE TABLE checkpoint_probe (data BLOB)"))
    for _ in range(ROWS):
        async with db.transaction() as conn:  # one COMMIT per row, as requests do
            await conn.execute(BLOB)


def _size(path: str) -> int:
    return os.path.getsize(path)


@contextlib.asynccontextmanager
async def opened(template: Path, path: Path) -> AsyncIterator[Database]:
    shutil.copyfile(template, path)
    db = open_database(make_settings(f"sqlite:///{path}"))
    await db.connect()
    try:
        yield db
    finally:
        await db.close()


async def test_commits_leave_the_log_to_the_checkpointer(
    monkeypatch: pytest.MonkeyPatch, sqlite_template: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(sqlite, "CHECKPOINT_INTERVAL_S", 3_600.0)  # the checkpointer stays idle
    path = tmp_path / "idle.db"
    async with opened(sqlite_template, path) as db:
        before = _size(str(path))
        await _write(db)
        # 6 MB went through the log and none of it into the file: no COMMIT checkpointed.
        assert _size(str(path)) < before + 1_000_000
        assert _size(f"{path}-wal") > ROWS * 4_000
        checkpointer = db._checkpointer  # type: ignore[attr-defined]
        busy, pages, done = await asyncio.to_thread(checkpointer.checkpoint)
        assert busy == 0 and pages == done and pages > 1_000  # one checkpoint, in a thread, took it all
        assert _size(str(path)) > before + ROWS * 4_000


async def test_the_checkpointer_runs_in_the_background(
    monkeypatch: pytest.MonkeyPatch, sqlite_template: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(sqlite, "CHECKPOINT_INTERVAL_S", 0.05)
    path = tmp_path / "busy.db"
    async with opened(sqlite_template, path) as db:
        before = _size(str(path))
        await _write(db)
        checkpointer = db._checkpointer  # type: ignore[attr-defined]
        for _ in range(200):  # at most 10 s on a busy machine
            if _size(str(path)) > before + ROWS * 4_000:
                break
            await asyncio.sleep(0.05)
        assert _size(str(path)) > before + ROWS * 4_000
        assert checkpointer.checkpoints >= 1 and checkpointer.failures == 0
        # Under a steady stream of writes the log is started again, not left to grow: each round
        # ends with a checkpoint that copies all of it.
        for _ in range(1_800):  # a steady stream, as under load: the loop turns between writes
            async with db.transaction() as conn:
                await conn.execute(BLOB)
            await asyncio.sleep(0.001)
        probe = sqlite3.connect(str(path))
        try:
            _, frames, _ = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            probe.close()
        assert frames < 1_800, frames  # the log since its last restart: a few rounds' rows, not all
    assert db._checkpointer is None  # type: ignore[attr-defined]  # stopped with the database
