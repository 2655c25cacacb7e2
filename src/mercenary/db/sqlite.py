"""SQLite backend (the embedded default): WAL, one writer connection, a few read-only readers.

SQLite allows one writer at a time, so writes queue on an asyncio lock instead of spinning on
``SQLITE_BUSY``; reads run concurrently on ``query_only`` connections (WAL lets them see the last
commit without blocking the writer).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import make_url

from mercenary.db.base import IntegrityError, Row, Statement
from mercenary.db.query import Query, prepare, shape_row

if TYPE_CHECKING:
    from mercenary.settings import Settings

READERS = 4
DIALECT = SQLiteDialect_pysqlite(paramstyle="qmark")


def sqlite_path(url: str) -> str:
    """The file path of a sqlite URL (``:memory:`` is refused: readers could not share it)."""
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


class SQLiteConnection:
    """One aiosqlite connection, used by the database's pool or inside a transaction."""

    dialect = DIALECT

    def __init__(self, raw: aiosqlite.Connection, owner: SQLiteDatabase) -> None:
        self._raw = raw
        self._owner = owner

    async def fetch_all(self, query: Statement, /, **params: Any) -> list[Row]:
        compiled, sql, args = prepare(query, DIALECT, params)
        self._owner.queries_executed += 1
        try:
            rows = await self._raw.execute_fetchall(sql, args)
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc
        return [shape_row(compiled, r) for r in rows]

    async def fetch_one(self, query: Statement, /, **params: Any) -> Row | None:
        rows = await self.fetch_all(query, **params)
        return rows[0] if rows else None

    async def fetch_val(self, query: Statement, /, **params: Any) -> Any:
        row = await self.fetch_one(query, **params)
        return None if row is None else next(iter(row.values()))

    async def execute(self, query: Statement, /, **params: Any) -> int:
        _, sql, args = prepare(query, DIALECT, params)
        self._owner.queries_executed += 1
        try:
            async with self._raw.execute(sql, args) as cursor:
                return int(cursor.rowcount)
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc

    async def execute_many(self, query: Query, rows: list[dict[str, Any]], /) -> None:
        if not rows:
            return
        compiled = query.compiled(DIALECT)
        self._owner.queries_executed += 1
        try:
            await self._raw.executemany(compiled.sql, [prepare(query, DIALECT, r)[2] for r in rows])
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc


class SQLiteDatabase:
    """The embedded database: a file under ``./var`` by default."""

    dialect = DIALECT

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.queries_executed = 0
        self._busy_ms = settings.SQLITE_BUSY_TIMEOUT_MS
        self._writer: SQLiteConnection | None = None
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[SQLiteConnection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []

    async def _open(self, *, query_only: bool) -> SQLiteConnection:
        raw = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in (
            f"PRAGMA busy_timeout = {int(self._busy_ms)}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA temp_store = MEMORY",
            "PRAGMA cache_size = -16000",
            f"PRAGMA query_only = {'ON' if query_only else 'OFF'}",
        ):
            await raw.execute(pragma)
        self._all.append(raw)
        return SQLiteConnection(raw, self)

    async def connect(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._writer = await self._open(query_only=False)
        for _ in range(READERS):
            self._readers.put_nowait(await self._open(query_only=True))

    async def close(self) -> None:
        async with self._write_lock:
            for raw in self._all:
                await raw.close()
            self._all.clear()
            self._writer = None

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[SQLiteConnection]:
        conn = await self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put_nowait(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SQLiteConnection]:
        async with self._write_lock:
            writer = self._writer
            if writer is None:
                raise RuntimeError("database is not connected")
            await writer._raw.execute("BEGIN IMMEDIATE")
            try:
                yield writer
            except BaseException:
                await writer._raw.execute("ROLLBACK")
                raise
            await writer._raw.execute("COMMIT")

    async def fetch_all(self, query: Statement, /, **params: Any) -> list[Row]:
        async with self._reader() as conn:
            return await conn.fetch_all(query, **params)

    async def fetch_one(self, query: Statement, /, **params: Any) -> Row | None:
        async with self._reader() as conn:
            return await conn.fetch_one(query, **params)

    async def fetch_val(self, query: Statement, /, **params: Any) -> Any:
        async with self._reader() as conn:
            return await conn.fetch_val(query, **params)

    async def execute(self, query: Statement, /, **params: Any) -> int:
        async with self.transaction() as conn:
            return await conn.execute(query, **params)

    async def execute_many(self, query: Query, rows: list[dict[str, Any]], /) -> None:
        async with self.transaction() as conn:
            await conn.execute_many(query, rows)

    async def copy_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        converted = [tuple(_to_sqlite(v) for v in row) for row in rows]
        async with self.transaction() as conn:
            await conn._raw.executemany(sql, converted)

    async def ping(self) -> None:
        async with self._reader() as conn:
            await conn._raw.execute_fetchall("SELECT 1")
