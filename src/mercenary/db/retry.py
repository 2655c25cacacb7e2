"""Retries of transient database failures, only where a retry is safe (DB-7).

What is retried: a failure that says nothing about the statement itself and may be gone a moment
later (:func:`retryable`): the connection lost or refused (a restarted server, a connection
terminated by an administrator, a failover), a deadlock or serialization failure, SQLite's "database
is locked". Not a statement timeout (a slow statement retried makes an overloaded database slower),
and never an integrity or programming error.

Where it is safe, and only there:

- a read outside a transaction (:meth:`SingleStatements.fetch_*`, every read of a read-only
  request): it changed nothing, so running it again is harmless;
- a whole unit of work run by :func:`run_transaction`, when it failed before its COMMIT was sent:
  the transaction rolled back, so the unit runs again from its start on a new transaction. A failure
  during COMMIT is never retried: the write may have committed and the answer been lost, and a
  second run could apply it twice. That failure reaches the client as a 503 and the client decides
  (with an ``Idempotency-Key``, a retry is safe).

A single write outside a unit (``execute``) is not retried for the same reason: its statement and
its COMMIT are one step.

The first attempt runs without any retry machinery (a try block costs nothing until it raises);
only after a retryable failure is tenacity (imported then) asked to run the next attempts, waiting
a random time up to an exponentially growing cap (full jitter: clients that failed together do not
retry together), within ``DB_RETRY_ATTEMPTS`` attempts and ``DB_RETRY_BUDGET_MS`` of the first
failure, and never past the request's work deadline (``db/deadline.py``): a request must still
answer its 503 itself.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from mercenary.db.base import Connection, Database, DatabaseBusyError
from mercenary.db.deadline import remaining
from mercenary.settings import Settings

log = logging.getLogger("mercenary.db.retry")

T = TypeVar("T")

FIRST_WAIT_S = 0.02  # the cap of the first wait; it doubles with each attempt


def retryable(exc: BaseException) -> bool:
    """Whether ``exc`` is a transient failure worth running the same work again for."""
    if isinstance(exc, DatabaseBusyError):  # SQLite's writer lock not granted within the busy wait
        return True
    if isinstance(exc, sqlite3.OperationalError):
        message = str(exc)
        return "locked" in message or "busy" in message
    if isinstance(exc, ConnectionError):
        return True
    asyncpg = sys.modules.get("asyncpg")  # only loaded when PostgreSQL is in use
    return asyncpg is not None and isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError  # "connection is closed": the pool's connection was lost under it
        | asyncpg.CannotConnectNowError  # the server is starting or stopping
        | asyncpg.AdminShutdownError  # pg_terminate_backend, a server shutdown
        | asyncpg.TooManyConnectionsError
        | asyncpg.TransactionRollbackError,  # deadlock detected, serialization failure
    )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many attempts in all, and how long retrying may go on after the first failure."""

    attempts: int = 3
    budget_s: float = 1.0

    def retryable(self, exc: BaseException) -> bool:
        """:func:`retryable`, when the policy allows a second attempt at all and the request's work
        deadline (``db/deadline.py``) has not passed."""
        return self.attempts > 1 and retryable(exc) and not out_of_time()

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """``DB_RETRY_ATTEMPTS`` and ``DB_RETRY_BUDGET_MS``."""
        return cls(settings.DB_RETRY_ATTEMPTS, settings.DB_RETRY_BUDGET_MS / 1000)

    async def again(self, call: Callable[[], Awaitable[T]], first: BaseException, what: str) -> T:
        """Run ``call`` again after ``first`` (a :func:`retryable` failure of the first attempt),
        up to the policy's attempts and budget; raise the last failure when they run out."""
        if self.attempts <= 1 or out_of_time():
            raise first
        from tenacity import (
            AsyncRetrying,
            RetryCallState,
            retry_if_exception,
            stop_after_attempt,
            stop_after_delay,
            stop_any,
            wait_random_exponential,
        )
        from tenacity.stop import stop_base

        class past_work_deadline(stop_base):
            """The request must still answer before its deadline: no attempt after its work deadline."""

            def __call__(self, retry_state: RetryCallState) -> bool:
                return out_of_time()

        log.warning("database: %s failed (%s); retrying", what, type(first).__name__)
        calls = 0

        async def replay() -> T:
            # The first attempt has run already: its failure is handed to tenacity as attempt one,
            # so that tenacity waits before the second exactly as between any two.
            nonlocal calls
            calls += 1
            if calls == 1:
                raise first
            return await call()

        retrying = AsyncRetrying(
            stop=stop_any(
                stop_after_attempt(self.attempts),
                stop_after_delay(self.budget_s),
                past_work_deadline(),
            ),
            wait=wait_random_exponential(multiplier=FIRST_WAIT_S, max=self.budget_s),
            retry=retry_if_exception(retryable),
            reraise=True,
        )
        return await retrying(replay)


def out_of_time() -> bool:
    """Whether the current request's work deadline has passed: no attempt may start any more."""
    return remaining(1.0) <= 0


async def run_transaction(
    db: Database, unit: Callable[[Connection], Awaitable[T]], *, what: str = "a unit"
) -> T:
    """``unit(conn)`` in a transaction, committed; run again from the start on a new transaction
    when it failed transiently before COMMIT (never when COMMIT itself failed: see the module)."""
    policy: RetryPolicy = getattr(db, "retry", RetryPolicy())
    committing = False

    async def attempt() -> T:
        nonlocal committing
        committing = False
        async with db.transaction() as conn:
            result = await unit(conn)
            committing = True  # from here the context manager's exit sends COMMIT
        return result

    try:
        return await attempt()
    except Exception as exc:
        if committing or not retryable(exc):
            raise
        first = exc

    async def again() -> T:
        try:
            return await attempt()
        except Exception as exc:
            if committing:  # the outcome of this COMMIT is unknown: stop here, whatever it was
                raise _Final(exc) from exc
            raise

    try:
        return await policy.again(again, first, what)
    except _Final as final:
        raise final.error from None


class _Final(Exception):
    """A failure that must not be retried (its COMMIT's outcome is unknown), carried past tenacity."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error
