"""SQLite backend (the embedded default): WAL, one writer connection and one reader, run in the
event loop's own thread.

Why not a thread per connection (aiosqlite): the statements of an OLTP request take tens of
microseconds, less than a hop to a worker thread and back, and the service runs on one core where
threads add no parallelism. Worse, a write transaction that hops once per statement holds SQLite's
single write lock across many event-loop turns; under load every turn is slow and writes convoy.
Running in the loop, a transaction that does not await anything else holds the lock only for the
CPU time it needs.

What must never block the loop is a checkpoint. SQLite's automatic checkpoint runs inside the
COMMIT that pushes the write-ahead log past 1,000 pages: it copies those pages into the database
file and fsyncs it, on the event loop. On a busy disk that took seconds, every request of the
process stalled behind it, and at 700 req/s the backlog took 20 s to drain. So a checkpointer
(:class:`Checkpointer`) runs ``PRAGMA wal_checkpoint(PASSIVE)`` on a connection of its own in a
worker thread (the sqlite3 module lets go of the GIL while it works) every
``CHECKPOINT_INTERVAL_S``; a PASSIVE checkpoint never waits for the writer or the readers. The
writer's automatic checkpoint stays only as a backstop, ten times further out
(``AUTOCHECKPOINT_PAGES``), for a process that writes without ever yielding to its loop (a bulk
load), where the checkpointer gets no turn.

Nor must the loop wait for a lock: the writer's ``busy_timeout`` is zero and
``BEGIN IMMEDIATE`` is retried with ``asyncio.sleep`` backoff for up to ``SQLITE_BUSY_TIMEOUT_MS``
(another process, such as a second API worker or a seeding job, may hold the write lock). Readers
in WAL mode never wait for the writer. Long queries (full-text search over a large corpus) do run
on the loop for their duration: on one core that costs the same CPU either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import make_url

from mercenary.db.base import DatabaseBusyError, IntegrityError, Row, SingleStatements, Statement
from mercenary.db.deadline import WORK_DEADLINE, remaining
from mercenary.db.hooks import HookedConnection, TransactionHooks
from mercenary.db.query import Query, prepare, shape_row
from mercenary.db.retry import RetryPolicy
from mercenary.db.timing import charge, statement_finished

if TYPE_CHECKING:
    from mercenary.settings import Settings

log = logging.getLogger("mercenary.db")

DIALECT = SQLiteDialect_pysqlite(paramstyle="qmark")
BUSY_BACKOFF_S = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)
# How often the checkpointer copies the write-ahead log into the database file, off the loop.
CHECKPOINT_INTERVAL_S = 1.0
# The writer's own checkpoint, on the loop: only when the checkpointer fell this far behind.
AUTOCHECKPOINT_PAGES = 10_000
# A log file grown past this (a reader held an old snapshot for long) is cut back when it restarts.
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024


def sqlite_path(url: str) -> str:
    """The file path of a sqlite URL (``:memory:`` is refused: two connections could not share it)."""
    path = make_url(url).database
    if not path or path == ":memory:":
        raise ValueError("the SQLite backend needs a file path, e.g. sqlite:///var/mercenary.db")
    return path


def _to_sqlite(value: Any) -> Any:
    # The same text form SQLAlchemy's SQLite DateTime uses (UTC wall time, no offset).
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _integrity(exc: sqlite3.IntegrityError) -> IntegrityError:
    # "UNIQUE constraint failed: users.email" -> "users.email"
    message = str(exc)
    _, _, target = message.partition(": ")
    return IntegrityError(message, target or None)


class SQLiteConnection(HookedConnection):
    """One sqlite3 connection: the reader, or the writer inside a transaction."""

    dialect = DIALECT

    def __init__(self, raw: sqlite3.Connection, owner: SQLiteDatabase) -> None:
        self._raw = raw
        self._owner = owner

    async def fetch_all(self, query: Statement, /, **params: Any) -> list[Row]:
        compiled, sql, args = prepare(query, DIALECT, params)
        owner = self._owner
        owner.queries_executed += 1
        started = time.perf_counter()
        try:
            rows = self._raw.execute(sql, args).fetchall()
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc
        finally:
            statement_finished(query, sql, params, started, owner.slow_after_s)
        return [shape_row(compiled, r) for r in rows]

    async def fetch_one(self, query: Statement, /, **params: Any) -> Row | None:
        rows = await self.fetch_all(query, **params)
        return rows[0] if rows else None

    async def fetch_val(self, query: Statement, /, **params: Any) -> Any:
        row = await self.fetch_one(query, **params)
        return None if row is None else next(iter(row.values()))

    async def execute(self, query: Statement, /, **params: Any) -> int:
        _, sql, args = prepare(query, DIALECT, params)
        owner = self._owner
        owner.queries_executed += 1
        started = time.perf_counter()
        try:
            return int(self._raw.execute(sql, args).rowcount)
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc
        finally:
            statement_finished(query, sql, params, started, owner.slow_after_s)

    async def execute_many(self, query: Query, rows: list[dict[str, Any]], /) -> None:
        if not rows:
            return
        compiled = query.compiled(DIALECT)
        owner = self._owner
        owner.queries_executed += 1
        started = time.perf_counter()
        try:
            self._raw.executemany(compiled.sql, [prepare(query, DIALECT, r)[2] for r in rows])
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc
        finally:
            statement_finished(query, compiled.sql, rows[0], started, owner.slow_after_s, rows=len(rows))


class SQLiteDatabase(SingleStatements):
    """The embedded database: a file under ``./var`` by default."""

    dialect = DIALECT

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.queries_executed = 0
        self.slow_after_s = settings.DB_SLOW_STATEMENT_MS / 1000
        self.retry = RetryPolicy.from_settings(settings)
        self._busy_s = settings.SQLITE_BUSY_TIMEOUT_MS / 1000
        self._writer: SQLiteConnection | None = None
        self._reader: SQLiteConnection | None = None
        self._write_lock = asyncio.Lock()
        self._checkpointer: Checkpointer | None = None

    def _open(self, *, query_only: bool) -> SQLiteConnection:
        raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in (
            # Opening waits for a lock like a transaction would: the workers of one `serve` open
            # the file at the same moment, and one switching it to WAL locks out the others (a
            # worker that failed here stopped the whole server). Once only, at start-up.
            f"PRAGMA busy_timeout = {int(self._busy_s * 1000)}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA temp_store = MEMORY",
            # 16 MB of page cache per connection and no mmap: mapped database pages would count
            # in the process's RSS (SLO-7), and the OS page cache serves re-reads anyway.
            "PRAGMA cache_size = -16000",
            # Checkpoints are the checkpointer's, in a thread, not a COMMIT's on the loop.
            f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}",
            f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}",
            f"PRAGMA query_only = {'ON' if query_only else 'OFF'}",
            "PRAGMA busy_timeout = 0",  # from here on, waits happen in _begin, off the event loop
        ):
            raw.execute(pragma)
        return SQLiteConnection(raw, self)

    async def connect(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._writer = self._open(query_only=False)
        self._reader = self._open(query_only=True)
        self._checkpointer = Checkpointer(self.path, self._write_lock)
        self._checkpointer.start()

    async def close(self) -> None:
        if self._checkpointer is not None:
            await self._checkpointer.stop()
            self._checkpointer = None
        async with self._write_lock:
            for conn in (self._reader, self._writer):
                if conn is not None:
                    conn._raw.close()
            self._reader = self._writer = None

    @property
    def reader(self) -> SQLiteConnection:
        """The read-only connection (raises if not connected)."""
        if self._reader is None:
            raise RuntimeError("database is not connected")
        return self._reader

    async def _begin(self, writer: SQLiteConnection) -> None:
        deadline = time.monotonic() + remaining(self._busy_s)  # within the request's deadline
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                writer._raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise DatabaseBusyError("the database stayed locked by another process") from exc
            finally:
                charge(started)  # each attempt; the sleeps between them are not database time
            await asyncio.sleep(BUSY_BACKOFF_S[min(attempt, len(BUSY_BACKOFF_S) - 1)])
            attempt += 1

    @asynccontextmanager
    async def _transaction(self, hooks: TransactionHooks) -> AsyncIterator[SQLiteConnection]:
        await self._acquire_writer()
        try:
            writer = self._writer
            if writer is None:
                raise RuntimeError("database is not connected")
            await self._begin(writer)
            writer._hooks = hooks
            try:
                yield writer
                started = time.perf_counter()
                try:
                    writer._raw.execute("COMMIT")
                finally:
                    charge(started)
            except BaseException:
                if writer._raw.in_transaction:
                    started = time.perf_counter()
                    writer._raw.execute("ROLLBACK")
                    charge(started)
                raise
            finally:
                writer._hooks = None
        finally:
            self._write_lock.release()

    async def _acquire_writer(self) -> None:
        """This process's writer lock. In a request, queued behind other writers no longer than
        the request's work deadline allows (db/deadline.py): then ``DatabaseBusyError``, which the
        request answers itself, rather than being cancelled at its deadline."""
        lock = self._write_lock
        if not lock.locked() or WORK_DEADLINE.get() is None:
            await lock.acquire()
            return
        try:
            await asyncio.wait_for(lock.acquire(), remaining(self._busy_s))
        except TimeoutError:
            raise DatabaseBusyError("the database's writer stayed busy") from None

    def _reads(self) -> SQLiteConnection:
        return self.reader

    async def copy_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        converted = [tuple(_to_sqlite(v) for v in row) for row in rows]
        async with self._transaction(TransactionHooks()) as conn:
            conn._raw.executemany(sql, converted)

    async def ping(self) -> None:
        self.reader._raw.execute("SELECT 1").fetchall()

    def pool_usage(self) -> tuple[int, int]:
        # The writer is the one connection a request waits for; reads share the reader, never waited on.
        return int(self._write_lock.locked()), 1

    def pool_waiting(self) -> int:
        return 0  # reads share the reader and never wait; writers queue on SQLite's lock by design


class Checkpointer:
    """Copies the write-ahead log into the database file every ``interval_s``, in a worker thread
    with a connection of its own (PASSIVE: it never waits for the writer or the readers).

    Each round is two checkpoints. The first copies the bulk while the writer goes on appending.
    A log is only started again from its beginning once a checkpoint has copied all of it, which
    never happens while requests keep writing, so the log would grow to the writer's backstop. The
    second checkpoint copies the few pages written meanwhile while holding this process's writer
    lock (``write_lock``): writes wait for it, reads do not, and the next write restarts the log."""

    def __init__(self, path: str, write_lock: asyncio.Lock, interval_s: float | None = None) -> None:
        self.path = path
        self.write_lock = write_lock
        self.interval_s = CHECKPOINT_INTERVAL_S if interval_s is None else interval_s
        self.checkpoints = 0  # completed rounds (read by the tests)
        self.failures = 0
        self._raw: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # the connection is used by one thread at a time
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Checkpoint in the background, from this event loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint (blocking: run it in a thread); SQLite's (busy, log pages,
        pages checkpointed)."""
        with self._lock:
            if self._raw is None:
                self._raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self._raw.execute("PRAGMA busy_timeout = 0")
            busy, pages, done = self._raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(busy), int(pages), int(done)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await asyncio.to_thread(self.checkpoint)  # the bulk, beside the writer
                async with self.write_lock:  # the rest, with this process's writes held back
                    await asyncio.to_thread(self.checkpoint)
                self.checkpoints += 1
            except sqlite3.Error as exc:  # e.g. the file went away under a test: try again later
                self.failures += 1
                if self.failures in (1, 10, 100):
                    log.warning("sqlite checkpoint failed (%s); retrying every %.0f s", exc, self.interval_s)

    async def stop(self) -> None:
        """Stop, and close the checkpointer's connection once its thread is done with it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        with self._lock:  # after a checkpoint still running in its thread
            if self._raw is not None:
                self._raw.close()
                self._raw = None
