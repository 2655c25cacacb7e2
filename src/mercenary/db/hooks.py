"""After-commit and after-rollback hooks of one transaction (pypi/warehouse's pattern).

Work that must follow a write only once the write is durable (dropping a cache entry, enqueueing a
job, sending mail) is registered on the transaction's connection with ``conn.after_commit(hook)``
and runs after COMMIT, outside the transaction (SQLite's write lock and the pool's connection are
released first). A transaction that rolls back runs its ``after_rollback`` hooks instead and none
of its ``after_commit`` ones. A hook that fails is logged and does not turn a committed write into
an error for the caller: the write has happened.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("mercenary.db")

Hook = Callable[[], Awaitable[None]]


class TransactionHooks:
    """The hooks registered during one transaction, in registration order."""

    __slots__ = ("_after_commit", "_after_rollback")

    def __init__(self) -> None:
        self._after_commit: list[Hook] = []
        self._after_rollback: list[Hook] = []

    def after_commit(self, hook: Hook) -> None:
        """Run ``hook`` once the transaction has committed."""
        self._after_commit.append(hook)

    def after_rollback(self, hook: Hook) -> None:
        """Run ``hook`` if the transaction rolls back."""
        self._after_rollback.append(hook)

    async def committed(self) -> None:
        """Run the after-commit hooks."""
        await _run(self._after_commit, "after-commit")

    async def rolled_back(self) -> None:
        """Run the after-rollback hooks."""
        await _run(self._after_rollback, "after-rollback")


async def _run(hooks: list[Hook], kind: str) -> None:
    for hook in hooks:
        try:
            await hook()
        except Exception:
            log.exception("%s hook %r failed", kind, hook)


class HookedConnection:
    """What a backend's connection class mixes in: hook registration while it holds a transaction."""

    _hooks: TransactionHooks | None = None

    def _transaction_hooks(self) -> TransactionHooks:
        if self._hooks is None:
            raise RuntimeError("after_commit/after_rollback need a connection from db.transaction()")
        return self._hooks

    def after_commit(self, hook: Hook) -> None:
        """Run ``hook`` after this transaction commits (never if it rolls back)."""
        self._transaction_hooks().after_commit(hook)

    def after_rollback(self, hook: Hook) -> None:
        """Run ``hook`` if this transaction rolls back."""
        self._transaction_hooks().after_rollback(hook)
