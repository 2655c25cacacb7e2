"""DB-5: statements slower than DB_SLOW_STATEMENT_MS are logged on "mercenary.db.slow" with their
name, duration, SQL and parameters cut short, and never with the value of a secret; on both backends."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from mercenary.auth import queries as auth
from mercenary.auth.tables import refresh_tokens
from mercenary.db import Database, Query, open_database
from mercenary.db.metadata import utcnow
from mercenary.db.slowlog import MAX_PARAMS, MAX_SQL, MAX_VALUE, describe_params, log_slow_statement
from mercenary.db.sqlite import SQLiteDatabase
from mercenary.users.tables import users
from tests.conftest import make_settings

LOGGER = "mercenary.db.slow"
PASSWORD_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LXNhbHQ$never-in-a-log"
TOKEN_HASH = "f" * 64

sleep = Query("test.sleep", sa.select(sa.func.pg_sleep(sa.bindparam("seconds"))))
by_password = Query(
    "test.by_password", sa.select(users.c.id).where(users.c.password_hash == sa.bindparam("password_hash"))
)
revoke_by_hash = Query(
    "test.revoke_by_hash",
    sa.update(refresh_tokens)
    .where(refresh_tokens.c.token_hash == sa.bindparam("token_hash"))
    .values(revoked_at=sa.bindparam("now")),
)


async def open_with(database_url: str, **settings: Any) -> Database:
    """A database with these settings; on SQLite ``pg_sleep(seconds)`` exists too (it blocks, as a
    slow SQLite statement does)."""
    db = open_database(make_settings(database_url, **settings))
    await db.connect()
    if isinstance(db, SQLiteDatabase):
        for conn in (db.reader, db._writer):
            assert conn is not None
            conn._raw.create_function("pg_sleep", 1, time.sleep)
    return db


@pytest.fixture
async def slow_db(database_url: str) -> AsyncIterator[Database]:
    db = await open_with(database_url)  # the default threshold, 200 ms
    yield db
    await db.close()


@pytest.fixture
async def log_all_db(database_url: str) -> AsyncIterator[Database]:
    db = await open_with(database_url, DB_SLOW_STATEMENT_MS=0)
    yield db
    await db.close()


def slow_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


async def test_a_slow_statement_is_logged(slow_db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, LOGGER)
    await slow_db.fetch_val(sleep, seconds=0.25)
    [record] = slow_records(caplog)
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert message.startswith("slow statement test.sleep took ")
    assert "pg_sleep(" in message
    assert message.endswith("params: seconds=0.25")
    assert record.statement == "test.sleep"  # type: ignore[attr-defined]
    assert record.duration_ms >= 250  # type: ignore[attr-defined]


async def test_fast_statements_are_not_logged(slow_db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, LOGGER)
    await slow_db.fetch_val(sleep, seconds=0)
    await slow_db.fetch_all(by_password, password_hash="x")
    await slow_db.execute(revoke_by_hash, token_hash="x", now=utcnow())
    async with slow_db.transaction() as conn:
        await conn.fetch_one(auth.find_refresh, token_hash="x")
    assert slow_records(caplog) == []


async def test_secrets_are_never_logged(log_all_db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, LOGGER)
    now = utcnow()
    await log_all_db.fetch_all(by_password, password_hash=PASSWORD_HASH)
    await log_all_db.fetch_one(auth.find_refresh, token_hash=TOKEN_HASH)
    await log_all_db.execute(auth.consume_refresh, token_hash=TOKEN_HASH, now=now)
    await log_all_db.execute_many(revoke_by_hash, [{"token_hash": TOKEN_HASH, "now": now}] * 2)
    records = slow_records(caplog)
    assert [r.statement for r in records] == [  # type: ignore[attr-defined]
        "test.by_password",
        "refresh_tokens.find",
        "refresh_tokens.consume",
        "test.revoke_by_hash",
    ]
    text = "\n".join(r.getMessage() for r in records)
    assert PASSWORD_HASH not in text
    assert TOKEN_HASH not in text
    assert "password_hash=<redacted>" in text
    assert "token_hash=<redacted>" in text
    assert "(2 parameter sets, the first shown)" in text


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_statement_cut_off_by_the_timeout_is_logged(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, LOGGER)
    db = await open_with(database_url, DB_STATEMENT_TIMEOUT_MS=250)
    try:
        with pytest.raises(asyncpg.QueryCanceledError):
            await db.fetch_val(sleep, seconds=5)
    finally:
        await db.close()
    [record] = slow_records(caplog)
    assert 250 <= record.duration_ms < 5_000  # type: ignore[attr-defined]


def test_sql_and_parameters_are_cut_short(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, LOGGER)
    params = {f"p{i}": "v" * 200 for i in range(MAX_PARAMS + 5)}
    log_slow_statement(sa.text("SELECT 1"), "SELECT\n   " + "x, " * 1_000, params, 0.3)
    [record] = slow_records(caplog)
    message = record.getMessage()
    assert "<TextClause>" in message  # a bare statement has no name
    sql = message.split(": ", 1)[1].split("; params: ")[0]
    assert len(sql) == MAX_SQL
    assert sql.startswith("SELECT x, x,")  # whitespace collapsed
    assert len(message) < MAX_SQL + MAX_PARAMS * (MAX_VALUE + 10) + 100
    assert describe_params(params).endswith("… 5 more")
    assert describe_params({"a": "v" * 200}) == "a='" + "v" * (MAX_VALUE - 2) + "…"
    assert describe_params({"invitation_code": "join-us", "api_key": 1, "secret": 2, "Password": 3}) == (
        "invitation_code=<redacted>, api_key=<redacted>, secret=<redacted>, Password=<redacted>"
    )
