"""Fixtures of the storage tests: a PgBouncer in front of the session's PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pgbouncer import PgBouncer, pgbouncer_binary
from tests.support.servers import PostgresServer


@pytest.fixture(scope="module")
def pgbouncer_path() -> str:
    found = pgbouncer_binary()
    if found is None:
        pytest.skip("pgbouncer is not installed (Debian package pgbouncer)")
    return found


@pytest.fixture
def pgbouncer(pg_server: PostgresServer, pgbouncer_path: str) -> Iterator[PgBouncer]:
    bouncer = PgBouncer(pg_server, pgbouncer_path)
    yield bouncer
    bouncer.stop()


@pytest.fixture
def through_pgbouncer(database_url: str, pgbouncer: PgBouncer) -> str:
    """A fresh database's URL through PgBouncer."""
    return pgbouncer.url(database_url.rsplit("/", 1)[1])
