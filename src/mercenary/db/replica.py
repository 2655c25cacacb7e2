"""Reads on a streaming replica, with read-your-writes for the caller who wrote (DB-8).

The rules, in the order they are applied to a statement run outside a transaction:

1. Only inside a request's read session (:func:`read_session`, opened by the web layer's
   ``ReadYourWritesMiddleware``) may a read go to the replica. Job workers, commands and anything
   without a session read the primary: a job enqueued after a commit must see that commit.
2. Transactions (every write, and every read that needs a consistent snapshot) run on the primary.
3. Loads that fill the shared cache run on the primary (:func:`on_primary`, used by the cache
   store): an entry outlives the request, and a stale row stored under a fresh version token would
   be served to everyone, the writer included, until its TTL.
4. A session that must see a commit (its caller wrote it in an earlier request, the signed LSN it
   carries; or this request did) reads the replica only once the replica has replayed that LSN
   (``pg_last_wal_replay_lsn()``); until then it reads the primary. The decision is sticky for the
   request, so its reads never go back in time.
5. A replica that fails a read is left alone for :data:`REPLICA_PAUSE_S`; reads go to the primary
   meanwhile, with no error for the caller.

Costs: a request that did not write and carries no LSN pays nothing (no round trip, no check). A
transaction committed inside a session pays one round trip (``pg_current_wal_insert_lsn()`` after
COMMIT), which is the commit's LSN or later. A request carrying an LSN the replica is not known to
have replayed pays one round trip to the replica to ask; the answer is kept per process (replay
only moves forward), so once it has caught up no further request asks again for that LSN.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from mercenary.db.base import Executor, Row, Statement, is_transient

log = logging.getLogger("mercenary.db.replica")

REPLICA_PAUSE_S = 5.0
# LSNs as integers: pg_lsn has no binary codec in asyncpg, its distance from 0/0 does.
COMMIT_LSN_SQL = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint"
REPLAY_LSN_SQL = "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint"


@dataclass(slots=True)
class ReadSession:
    """One request's view: the LSN it must see (``read_after``), the LSN of its own last commit
    (``committed``), and whether it has been sent to the primary for good."""

    read_after: int = 0
    committed: int = 0
    pinned: bool = False

    @property
    def needs(self) -> int:
        return max(self.read_after, self.committed)


_session: ContextVar[ReadSession | None] = ContextVar("mercenary_read_session", default=None)
_primary_only: ContextVar[bool] = ContextVar("mercenary_primary_only", default=False)


@contextmanager
def read_session(read_after: int = 0) -> Iterator[ReadSession]:
    """Let the reads of the code inside go to the replica, none older than ``read_after``."""
    session = ReadSession(read_after)
    token = _session.set(session)
    try:
        yield session
    finally:
        _session.reset(token)


@contextmanager
def on_primary() -> Iterator[None]:
    """Run the reads inside on the primary (a cache fill: its result outlives the request)."""
    token = _primary_only.set(True)
    try:
        yield
    finally:
        _primary_only.reset(token)


def current_session() -> ReadSession | None:
    """The request's read session, or None outside one."""
    return _session.get()


@dataclass
class ReplicaCounters:
    """Reads by where they ran, for ``/ready`` and the tests: ``replica``, ``primary`` (in a session
    but sent to the primary), ``lag_checks`` (round trips asking the replica), ``failures``."""

    replica: int = 0
    primary: int = 0
    lag_checks: int = 0
    failures: int = 0
    replayed_lsn: int = 0
    paused_until: float = field(default=0.0, repr=False)


class RoutedReads:
    """The executor a :class:`PostgresDatabase` with a replica runs single reads on."""

    def __init__(self, primary: Executor, replica: Executor, replay: Callable[[], Awaitable[Any]]) -> None:
        self.primary = primary
        self.replica = replica
        self._replay = replay  # asks the replica for pg_last_wal_replay_lsn() (REPLAY_LSN_SQL)
        self.counters = ReplicaCounters()
        self.dialect = primary.dialect

    async def _target(self) -> Executor:
        session = _session.get()
        if session is None or _primary_only.get():
            return self.primary
        c = self.counters
        if session.pinned or (c.paused_until and time.monotonic() < c.paused_until):
            c.primary += 1
            return self.primary
        needs = session.needs
        if needs > c.replayed_lsn:
            c.lag_checks += 1
            try:
                replayed = await self._replay()
            except Exception as exc:
                if not is_transient(exc):
                    raise
                self._pause(exc)
                c.primary += 1
                return self.primary
            c.replayed_lsn = max(c.replayed_lsn, int(replayed or 0))
            if needs > c.replayed_lsn:
                session.pinned = True
                c.primary += 1
                return self.primary
        c.replica += 1
        return self.replica

    def _pause(self, exc: BaseException) -> None:
        c = self.counters
        c.failures += 1
        if not (c.paused_until and time.monotonic() < c.paused_until):
            log.warning("replica failed (%s): reads go to the primary for %g s", exc, REPLICA_PAUSE_S)
        c.paused_until = time.monotonic() + REPLICA_PAUSE_S

    async def _read(self, method: str, query: Statement, params: dict[str, Any]) -> Any:
        target = await self._target()
        try:
            return await getattr(target, method)(query, **params)
        except Exception as exc:
            if target is self.primary or not is_transient(exc):
                raise
            self._pause(exc)
            self.counters.replica -= 1
            self.counters.primary += 1
            return await getattr(self.primary, method)(query, **params)

    async def fetch_all(self, query: Statement, /, **params: Any) -> list[Row]:
        rows: list[Row] = await self._read("fetch_all", query, params)
        return rows

    async def fetch_one(self, query: Statement, /, **params: Any) -> Row | None:
        row: Row | None = await self._read("fetch_one", query, params)
        return row

    async def fetch_val(self, query: Statement, /, **params: Any) -> Any:
        return await self._read("fetch_val", query, params)

    async def execute(self, query: Statement, /, **params: Any) -> int:
        raise RuntimeError("writes run in a transaction on the primary")  # pragma: no cover

    async def execute_many(self, query: Any, rows: list[dict[str, Any]], /) -> None:
        raise RuntimeError("writes run in a transaction on the primary")  # pragma: no cover
