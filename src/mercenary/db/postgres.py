"""PostgreSQL backend on asyncpg's own pool.

``statement_timeout`` (DB-5) is set one of two ways (``DB_STATEMENT_TIMEOUT_MODE``):

- ``startup`` (the default): in the connection's startup packet, once per connection and free
  afterwards. Right for a direct connection. PgBouncer refuses that startup parameter (or, listed in
  its ``ignore_startup_parameters``, drops it): its server connections never carry it.
- ``transaction``, for PgBouncer in transaction mode (or any pooler that moves server connections
  between clients): every transaction opens with ``BEGIN; SET LOCAL statement_timeout = ...`` sent
  as one message, so it costs no round trip more than ``BEGIN``; a statement outside a transaction
  carries asyncpg's client-side timeout instead, which on expiry cancels it on the server (a cancel
  request, which PgBouncer forwards). A role default (``ALTER ROLE ... SET statement_timeout``)
  holds behind any pooler too, at no cost, and is the server-side backstop for the latter.

With ``DB_STATEMENT_CACHE_SIZE=0`` asyncpg uses unnamed statements only, which is what PgBouncer in
transaction mode needs (DB-6).

With ``DATABASE_REPLICA_URL`` a second pool opens on a streaming replica and single reads are
routed between the two (``db/replica.py``: read-your-writes for the caller who wrote, DB-8).

Pool sizing (DB-6): once at start-up the pool reads ``max_connections`` and logs on
``mercenary.db.pool`` how ``DB_POOL_SIZE`` x ``DB_POOL_PROCESSES`` compares with 80 % of it, at
WARNING when it does not fit (:func:`pool_budget`). PgBouncer is transparent to SQL (``SHOW
max_connections`` answers the server's value through it), so the service knows it is behind one
from ``DB_STATEMENT_TIMEOUT_MODE=transaction``, the setting PgBouncer in transaction mode needs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from time import perf_counter
from typing import TYPE_CHECKING, Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import make_url

from mercenary.db.base import IntegrityError, Row, SingleStatements, Statement
from mercenary.db.hooks import HookedConnection, TransactionHooks
from mercenary.db.query import Compiled, Query, prepare, shape_row
from mercenary.db.replica import COMMIT_LSN_SQL, REPLAY_LSN_SQL, RoutedReads, current_session
from mercenary.db.retry import RetryPolicy
from mercenary.db.timing import charge, statement_finished

if TYPE_CHECKING:
    from mercenary.settings import Settings

DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]
POOL_SHARE = 0.8  # DB-6: every pool together stays under 80 % of max_connections
pool_log = logging.getLogger("mercenary.db.pool")


def pool_budget(settings: Settings, max_connections: int) -> tuple[int, str]:
    """DB-6: the level and text of the start-up line on this service's share of ``max_connections``.

    WARNING when ``DB_POOL_SIZE`` x ``DB_POOL_PROCESSES`` reaches 80 % of it on a direct connection.
    Behind PgBouncer in transaction mode the pools are PgBouncer's clients and count against its
    ``max_client_conn``; what must fit under 80 % is PgBouncer's own pools, which only its
    configuration knows (INFO, saying so).
    """
    size, processes = settings.DB_POOL_SIZE, settings.DB_POOL_PROCESSES
    total = size * processes
    budget = max_connections * POOL_SHARE
    pools = f"DB_POOL_SIZE {size} x DB_POOL_PROCESSES {processes} = {total} connections"
    share = f"80 % of max_connections {max_connections} is {budget:g}"
    if settings.DB_STATEMENT_TIMEOUT_MODE == "transaction":
        return logging.INFO, (
            f"{pools} to PgBouncer (DB_STATEMENT_TIMEOUT_MODE=transaction): keep them under its "
            f"max_client_conn, and its server connections (default_pool_size x pools) under {budget:g} "
            f"({share})"
        )
    if total >= budget:
        return logging.WARNING, (
            f"{pools}, not under 80 % of PostgreSQL's max_connections ({share}): lower DB_POOL_SIZE, "
            "raise max_connections, or put PgBouncer in transaction mode in between (docs/operations.md)"
        )
    return logging.INFO, f"{pools}, under 80 % of max_connections ({share})"


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What the pool does to a connection it takes back, beyond asyncpg's own rollback of an
    unfinished transaction: nothing. asyncpg's default sends ``RESET ALL; CLOSE ALL; UNLISTEN *; ...``,
    a round trip on every release, i.e. after every statement run outside a transaction. The service
    keeps no session state (no SET, LISTEN, cursors or advisory locks); ``statement_timeout`` comes
    from the startup packet, which RESET ALL would keep anyway, or from a SET LOCAL that ends with
    its transaction. Behind PgBouncer in transaction mode session state is meaningless in any case."""


def asyncpg_dsn(url: str) -> str:
    """A libpq-style DSN for asyncpg from a SQLAlchemy URL (driver suffix dropped)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _rowcount(status: str) -> int:
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _integrity(exc: asyncpg.IntegrityConstraintViolationError) -> IntegrityError:
    return IntegrityError(str(exc), getattr(exc, "constraint_name", None))


async def _control(raw: asyncpg.Connection, sql: str) -> None:
    """BEGIN, COMMIT or ROLLBACK: a round trip counted in the request's database time."""
    started = perf_counter()
    try:
        await raw.execute(sql)
    except asyncpg.InternalClientError as exc:
        raise _broken(raw, exc) from exc
    finally:
        charge(started)


def _broken(raw: Any, exc: asyncpg.InternalClientError) -> ConnectionResetError:
    """A connection whose protocol is out of step: the server's FATAL (a shutdown,
    ``pg_terminate_backend``) arrived between two statements and its close has not yet, so asyncpg
    refuses the next one with "cannot switch to state ...; another operation is in progress". The
    connection is dead either way: it is dropped (a pool's own is replaced later) and the failure
    becomes the lost connection it is (``database_unavailable``; never retried at COMMIT, whose
    outcome is then unknown)."""
    if isinstance(raw, asyncpg.Connection | PoolConnectionProxy):
        raw.terminate()
    return ConnectionResetError(f"the database connection broke: {exc}")


class PostgresConnection(HookedConnection):
    """An asyncpg connection inside a transaction, or the pool for a single statement."""

    dialect = DIALECT

    def __init__(
        self, raw: asyncpg.Connection | asyncpg.Pool, owner: PostgresDatabase, timeout: float | None = None
    ) -> None:
        self._raw = raw
        self._owner = owner
        self._timeout = timeout  # asyncpg's client-side timeout, in seconds (None: none)

    async def _call(self, method: str, query: Statement, params: dict[str, Any]) -> tuple[Compiled, Any]:
        compiled, sql, args = prepare(query, DIALECT, params)
        owner = self._owner
        owner.queries_executed += 1
        started = perf_counter()
        try:
            return compiled, await getattr(self._raw, method)(sql, *args, timeout=self._timeout)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise _integrity(exc) from exc
        except asyncpg.InternalClientError as exc:
            raise _broken(self._raw, exc) from exc
        finally:
            statement_finished(query, sql, params, started, owner.slow_after_s)

    async def fetch_all(self, query: Statement, /, **params: Any) -> list[Row]:
        compiled, records = await self._call("fetch", query, params)
        return [shape_row(compiled, r) for r in records]

    async def fetch_one(self, query: Statement, /, **params: Any) -> Row | None:
        compiled, record = await self._call("fetchrow", query, params)
        return None if record is None else shape_row(compiled, record)

    async def fetch_val(self, query: Statement, /, **params: Any) -> Any:
        return (await self._call("fetchval", query, params))[1]

    async def execute(self, query: Statement, /, **params: Any) -> int:
        return _rowcount((await self._call("execute", query, params))[1])

    async def execute_many(self, query: Query, rows: list[dict[str, Any]], /) -> None:
        if not rows:
            return
        compiled = query.compiled(DIALECT)
        owner = self._owner
        owner.queries_executed += 1
        started = perf_counter()
        try:
            args = [prepare(query, DIALECT, r)[2] for r in rows]
            await self._raw.executemany(compiled.sql, args, timeout=self._timeout)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise _integrity(exc) from exc
        finally:
            statement_finished(query, compiled.sql, rows[0], started, owner.slow_after_s, rows=len(rows))


class PostgresDatabase(SingleStatements):
    """A pool of asyncpg connections sized by ``DB_POOL_SIZE``."""

    dialect = DIALECT

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.queries_executed = 0
        self.slow_after_s = settings.DB_SLOW_STATEMENT_MS / 1000
        self.retry = RetryPolicy.from_settings(settings)
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._direct: PostgresConnection | None = None
        self.replica_url = settings.DATABASE_REPLICA_URL
        self._replica_pool: asyncpg.Pool | None = None
        self.routed: RoutedReads | None = None
        timeout_ms = settings.DB_STATEMENT_TIMEOUT_MS
        self._per_transaction = settings.DB_STATEMENT_TIMEOUT_MODE == "transaction"
        # One simple-query message: the SET rides with the BEGIN, no round trip of its own.
        self._begin = (
            f"BEGIN; SET LOCAL statement_timeout = {timeout_ms}" if self._per_transaction else "BEGIN"
        )

    async def connect(self) -> None:
        s = self._settings
        server_settings = {"application_name": "mercenary"}
        if not self._per_transaction:
            server_settings["statement_timeout"] = str(s.DB_STATEMENT_TIMEOUT_MS)
        options: dict[str, Any] = {
            "max_size": s.DB_POOL_SIZE,
            "statement_cache_size": s.DB_STATEMENT_CACHE_SIZE,
            "reset": _keep_session,
            "server_settings": server_settings,
        }
        self._pool = await asyncpg.create_pool(asyncpg_dsn(self.url), min_size=1, **options)
        single = s.DB_STATEMENT_TIMEOUT_MS / 1000 if self._per_transaction else None
        self._direct = PostgresConnection(self._pool, self, single)
        if self.replica_url:
            # min_size 0: connections open on first use, so a replica that is down at start-up
            # delays nothing (its reads go to the primary until it answers).
            replica = await asyncpg.create_pool(asyncpg_dsn(self.replica_url), min_size=0, **options)
            self._replica_pool = replica
            self.routed = RoutedReads(
                self._direct,
                PostgresConnection(replica, self, single),
                lambda: replica.fetchval(REPLAY_LSN_SQL, timeout=single or 1.0),
            )
        max_connections = int(await self._pool.fetchval("SHOW max_connections"))
        pool_log.log(*pool_budget(s, max_connections))

    async def close(self) -> None:
        if self._replica_pool is not None:
            await self._replica_pool.close()
            self._replica_pool = None
            self.routed = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
            self._direct = None

    @property
    def pool(self) -> asyncpg.Pool:
        """The open pool (raises if not connected)."""
        if self._pool is None:
            raise RuntimeError("database is not connected")
        return self._pool

    @asynccontextmanager
    async def _transaction(self, hooks: TransactionHooks) -> AsyncIterator[PostgresConnection]:
        async with self.pool.acquire() as raw:
            # BEGIN by hand rather than asyncpg's raw.transaction(), to send the SET LOCAL with it.
            await _control(raw, self._begin)
            conn = PostgresConnection(raw, self)
            conn._hooks = hooks
            try:
                yield conn
            except BaseException:
                if not _lost(raw):  # a lost connection has nothing to roll back
                    await _control(raw, "ROLLBACK")
                raise
            else:
                await _control(raw, "COMMIT")
                if self.routed is not None:
                    await self._note_commit(raw)
            finally:
                conn._hooks = None

    async def _note_commit(self, raw: asyncpg.Connection) -> None:
        """DB-8: the request that committed reads the primary from now on, and its caller until the
        replica has replayed this LSN (the web layer hands it to the caller, signed)."""
        session = current_session()
        if session is None:
            return
        session.pinned = True
        started = perf_counter()
        try:
            lsn = int(await raw.fetchval(COMMIT_LSN_SQL))
        except Exception as exc:  # the write has committed: it must not turn into an error
            pool_log.warning("commit LSN not read (%s): the caller gets no read-your-writes token", exc)
            return
        finally:
            charge(started)
        session.committed = max(session.committed, lsn)

    def _reads(self) -> PostgresConnection | RoutedReads:
        # asyncpg's Pool has the connection's fetch API: a single read takes a connection for itself.
        if self.routed is not None:
            return self.routed
        if self._direct is None:
            raise RuntimeError("database is not connected")
        return self._direct

    async def copy_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        async with self.pool.acquire() as raw:
            await raw.copy_records_to_table(table, records=rows, columns=list(columns))

    async def ping(self) -> None:
        await self.pool.fetchval("SELECT 1")

    def pool_usage(self) -> tuple[int, int]:
        if self._pool is None:
            return 0, self._settings.DB_POOL_SIZE
        return self._pool.get_size() - self._pool.get_idle_size(), self._pool.get_max_size()

    def pool_waiting(self) -> int:
        # asyncpg lends connections from an asyncio queue of free ones; a request that found it
        # empty waits as one of the queue's getters (private, so read defensively: asyncpg is pinned
        # and tests/api/test_load_shedding.py fails if this stops seeing a waiter).
        queue = getattr(self._pool, "_queue", None)
        return len(getattr(queue, "_getters", ()))


def _lost(raw: Any) -> bool:
    """Whether the pooled connection ``raw`` was lost. When the server terminated it, the pool has
    already taken its proxy back, and asking the proxy raises: that is a lost connection too."""
    try:
        return bool(raw.is_closed())
    except asyncpg.InterfaceError:
        return True
