"""Statement counts (zulip's ``assert_database_query_count``): how many statements a piece of code
sends to the database, counted by the storage layer itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mercenary.db import Database


class StatementCounter:
    """The statements ``db`` has run since the counter started (read it any time)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._start = db.queries_executed

    @property
    def n(self) -> int:
        return int(self._db.queries_executed - self._start)


@contextmanager
def count_statements(db: Database) -> Iterator[StatementCounter]:
    """Count the statements run inside the block: ``with count_statements(db) as c: ...; c.n``."""
    yield StatementCounter(db)


@contextmanager
def assert_statement_count(db: Database, expected: int) -> Iterator[StatementCounter]:
    """Fail unless the block runs exactly ``expected`` statements."""
    with count_statements(db) as counter:
        yield counter
    assert counter.n == expected, f"{counter.n} statements run, {expected} expected"
