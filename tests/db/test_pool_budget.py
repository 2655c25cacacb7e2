"""DB-6: at start-up the PostgreSQL pool compares DB_POOL_SIZE x DB_POOL_PROCESSES with 80 % of the
server's ``max_connections`` (300 on the session's cluster, so 240) and warns when it does not fit;
behind PgBouncer in transaction mode it says what must fit instead, without a warning."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from mercenary.db import open_database
from mercenary.db.postgres import pool_budget
from tests.conftest import make_settings

SESSION_MAX_CONNECTIONS = 300  # tests/support/servers.py


async def startup_lines(
    url: str, caplog: pytest.LogCaptureFixture, **settings: Any
) -> list[logging.LogRecord]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mercenary.db.pool"):
        db = open_database(make_settings(url, **settings))
        await db.connect()
        await db.close()
    return [r for r in caplog.records if r.name == "mercenary.db.pool"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_pool_that_fits_is_reported_without_a_warning(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    (line,) = await startup_lines(database_url, caplog, DB_POOL_SIZE=10, DB_POOL_PROCESSES=4)
    assert line.levelno == logging.INFO
    assert "DB_POOL_SIZE 10 x DB_POOL_PROCESSES 4 = 40 connections" in line.getMessage()
    assert f"max_connections {SESSION_MAX_CONNECTIONS} is 240" in line.getMessage()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_pools_past_80_percent_of_max_connections_are_a_warning(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    (line,) = await startup_lines(database_url, caplog, DB_POOL_SIZE=60, DB_POOL_PROCESSES=4)
    assert line.levelno == logging.WARNING
    text = line.getMessage()
    assert "= 240 connections, not under 80 % of PostgreSQL's max_connections" in text
    assert "PgBouncer" in text


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_behind_pgbouncer_the_pools_are_its_clients_and_no_warning(
    through_pgbouncer: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = {"DB_STATEMENT_TIMEOUT_MODE": "transaction", "DB_STATEMENT_CACHE_SIZE": 0}
    (line,) = await startup_lines(through_pgbouncer, caplog, DB_POOL_SIZE=60, DB_POOL_PROCESSES=4, **settings)
    assert line.levelno == logging.INFO
    text = line.getMessage()
    # max_connections is read through PgBouncer: it answers with the server's value.
    assert "to PgBouncer" in text
    assert f"max_connections {SESSION_MAX_CONNECTIONS}" in text
    assert "max_client_conn" in text


@pytest.mark.parametrize(("processes", "level"), [(23, logging.INFO), (24, logging.WARNING)])
def test_the_line_is_80_percent_not_under_it(processes: int, level: int) -> None:
    settings = make_settings("postgresql://u@127.0.0.1/db", DB_POOL_SIZE=10, DB_POOL_PROCESSES=processes)
    assert pool_budget(settings, 300)[0] == level
