"""The storage contract every database backend implements."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ClauseElement

from mercenary.db.hooks import Hook, TransactionHooks
from mercenary.db.query import Query

Row = dict[str, Any]
T = TypeVar("T")


class DatabaseBusyError(Exception):
    """The database could not take a write within its busy timeout (another process held the lock)."""


class IntegrityError(Exception):
    """A constraint refused a write (unique, foreign key, check), whatever the driver.

    ``constraint`` names it where the driver says (PostgreSQL) or the message does (SQLite).
    """

    def __init__(self, message: str, constraint: str | None = None) -> None:
        super().__init__(message)
        self.constraint = constraint


Statement = Query | ClauseElement


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is the database failing (connection lost or refused, timeout, lock held too
    long, deadlock, serialization conflict) rather than a statement being wrong: a failure worth a
    retry or a stale cached answer. The request that met it gets a 503 with ``Retry-After``."""
    if isinstance(exc, DatabaseBusyError | OSError | TimeoutError | sqlite3.OperationalError):
        return True
    asyncpg = sys.modules.get("asyncpg")  # only loaded when PostgreSQL is in use
    return asyncpg is not None and isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.QueryCanceledError
        | asyncpg.CannotConnectNowError
        | asyncpg.TooManyConnectionsError
        | asyncpg.TransactionRollbackError  # deadlock detected, serialization failure
        | asyncpg.LockNotAvailableError,
    )


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is the database too busy to answer in time (a lock not granted or held too
    long, the statement timeout, a deadlock, a serialization conflict): ``database_busy``. Unlike
    :func:`is_transient`, SQLite's ``OperationalError`` counts only when it says the database is
    locked or busy (a syntax error is one too, and a bug)."""
    if isinstance(exc, DatabaseBusyError | TimeoutError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        message = str(exc)
        return "locked" in message or "busy" in message
    asyncpg = sys.modules.get("asyncpg")
    return asyncpg is not None and isinstance(
        exc, asyncpg.QueryCanceledError | asyncpg.TransactionRollbackError | asyncpg.LockNotAvailableError
    )


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` is the database out of reach (connection refused, lost, or not accepted),
    the transient failures that are not a busy database (``database_unavailable``, not
    ``database_busy``)."""
    if isinstance(exc, ConnectionError | OSError) and not isinstance(exc, TimeoutError):
        return True
    asyncpg = sys.modules.get("asyncpg")
    return asyncpg is not None and isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.CannotConnectNowError
        | asyncpg.TooManyConnectionsError
        | asyncpg.AdminShutdownError,
    )


class Executor(Protocol):
    """Runs statements: a :class:`Database` (one statement, autocommit) or a :class:`Connection`
    inside a transaction. Services take an ``Executor`` so the caller decides the transaction."""

    @property
    def dialect(self) -> Dialect:
        """The SQLAlchemy dialect statements are compiled for."""
        ...

    async def fetch_one(self, query: Statement, /, **params: Any) -> Row | None:
        """The first row, or None."""
        ...

    async def fetch_all(self, query: Statement, /, **params: Any) -> list[Row]:
        """All rows."""
        ...

    async def fetch_val(self, query: Statement, /, **params: Any) -> Any:
        """The first column of the first row, or None."""
        ...

    async def execute(self, query: Statement, /, **params: Any) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        ...

    async def execute_many(self, query: Query, rows: list[dict[str, Any]], /) -> None:
        """Run one statement for each parameter set (bulk insert)."""
        ...


class Connection(Executor, Protocol):
    """A connection held for one transaction."""

    def after_commit(self, hook: Hook, /) -> None:
        """Run ``hook`` after the transaction commits; never if it rolls back."""
        ...

    def after_rollback(self, hook: Hook, /) -> None:
        """Run ``hook`` if the transaction rolls back."""
        ...


class Retries(Protocol):
    """How a transient failure is retried (``db/retry.py``'s ``RetryPolicy``)."""

    def retryable(self, exc: BaseException, /) -> bool: ...

    async def again(self, call: Callable[[], Awaitable[T]], first: BaseException, what: str, /) -> T: ...


class SingleStatements:
    """What every backend's Database does with one statement outside a transaction: reads run on
    ``_reads()`` (the pool, or SQLite's read-only connection); writes open a transaction of their own."""

    def _reads(self) -> Executor:
        raise NotImplementedError

    def _transaction(self, hooks: TransactionHooks) -> AbstractAsyncContextManager[Connection, Any]:
        """BEGIN .. COMMIT (ROLLBACK on an exception) on a connection that carries ``hooks``."""
        raise NotImplementedError

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection in a transaction; its after-commit hooks run once COMMIT has succeeded and
        the connection is released, its after-rollback hooks when anything (COMMIT too) failed."""
        hooks = TransactionHooks()
        try:
            async with self._transaction(hooks) as conn:
                yield conn
        except BaseException:
            await hooks.rolled_back()
            raise
        await hooks.committed()

    # Reads outside a transaction changed nothing, so a transient failure is retried (DB-7,
    # db/retry.py). The try block costs nothing until it raises.
    retry: Retries | None = None

    async def fetch_all(self, query: Statement, /, **params: Any) -> list[Row]:
        try:
            return await self._reads().fetch_all(query, **params)
        except Exception as exc:
            if self.retry is None or not self.retry.retryable(exc):
                raise
            return await self.retry.again(lambda: self._reads().fetch_all(query, **params), exc, "a read")

    async def fetch_one(self, query: Statement, /, **params: Any) -> Row | None:
        try:
            return await self._reads().fetch_one(query, **params)
        except Exception as exc:
            if self.retry is None or not self.retry.retryable(exc):
                raise
            return await self.retry.again(lambda: self._reads().fetch_one(query, **params), exc, "a read")

    async def fetch_val(self, query: Statement, /, **params: Any) -> Any:
        try:
            return await self._reads().fetch_val(query, **params)
        except Exception as exc:
            if self.retry is None or not self.retry.retryable(exc):
                raise
            return await self.retry.again(lambda: self._reads().fetch_val(query, **params), exc, "a read")

    async def execute(self, query: Statement, /, **params: Any) -> int:
        async with self.transaction() as conn:
            return await conn.execute(query, **params)

    async def execute_many(self, query: Query, rows: list[dict[str, Any]], /) -> None:
        async with self.transaction() as conn:
            await conn.execute_many(query, rows)


class Database(Executor, Protocol):
    """A pool of connections to one database."""

    url: str
    queries_executed: int

    async def connect(self) -> None:
        """Open the pool."""
        ...

    async def close(self) -> None:
        """Close the pool, waiting for connections to be returned."""
        ...

    async def copy_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Bulk-load ``rows`` (already in driver form: aware datetimes, ints, strs) into ``table``:
        COPY on PostgreSQL, a batched INSERT on SQLite. For seeding, not for request paths."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A connection in a transaction: committed on exit, rolled back on an exception."""
        ...

    async def ping(self) -> None:
        """Raise if the database cannot answer ``SELECT 1``."""
        ...

    def pool_usage(self) -> tuple[int, int]:
        """(connections lent out, connections the pool may open), for the metrics."""
        ...

    def pool_waiting(self) -> int:
        """Requests waiting now for a connection of the pool (none on SQLite: reads never wait)."""
        ...
