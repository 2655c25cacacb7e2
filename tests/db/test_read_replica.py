"""Reads on a streaming replica with read-your-writes for the writer (DB-8), in process.

A real primary and a hot standby cloned with ``pg_basebackup`` (``mercenary_perf.topology.parts``),
the app wired to both. The replica is held back with ``recovery_min_apply_delay``: a caller who
writes must read its write at once anyway, and reads must reach the replica once it has caught up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.app import create_app
from mercenary.db import open_database
from mercenary.db.migrate import upgrade
from mercenary.db.postgres import PostgresDatabase
from mercenary.db.replica import COMMIT_LSN_SQL, RoutedReads, on_primary, read_session
from mercenary.settings import Settings
from mercenary.web.middleware.read_your_writes import COOKIE, HEADER, sign, verify
from mercenary_perf.topology.parts import Primary, Replica
from tests.api.catalog import freelancer, profile_body
from tests.api.helpers import PASSWORD, signup
from tests.conftest import in_thread, make_settings

DB = "replicated"
KEY = "test-secret-key-0123456789abcdef0123456789"


class Cluster:
    def __init__(self) -> None:
        self.primary = Primary.start()
        try:
            self.primary.psql(f"CREATE DATABASE {DB}")
            in_thread(upgrade, self.primary.url(DB))
            self.replica = Replica.follow(self.primary, None)
        except BaseException:
            self.primary.stop()
            raise

    def caught_up(self) -> bool:
        """The replica has replayed everything the primary has written."""
        sent = self.primary.psql("SELECT pg_current_wal_insert_lsn()")
        return self.replica.psql(f"SELECT pg_last_wal_replay_lsn() >= '{sent}'::pg_lsn") == "t"

    def wait_caught_up(self, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.caught_up():
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    c = Cluster()
    yield c
    c.replica.stop()
    c.primary.stop()


def replica_settings(cluster: Cluster) -> Settings:
    return make_settings(
        cluster.primary.url(DB), DATABASE_REPLICA_URL=cluster.replica.url(DB), SECRET_KEY=KEY
    )


@pytest.fixture
async def app(cluster: Cluster) -> AsyncIterator[FastAPI]:
    application = create_app(replica_settings(cluster))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def routed(app: FastAPI) -> RoutedReads:
    reads = app.state.mercenary.db.routed
    assert isinstance(reads, RoutedReads)
    return reads


async def test_the_writer_reads_its_write_while_the_replica_lags(
    cluster: Cluster, app: FastAPI, client: httpx.AsyncClient
) -> None:
    cluster.replica.set_delay(2000)
    try:
        user_id, headers = await freelancer(client, "lag@example.com")
        url = f"/api/v1/freelancers/{user_id}/profile"
        stale = 0
        for i in range(100):
            put = await client.put(
                url, json=profile_body(headline=f"version {i}", skills=[]), headers=headers
            )
            assert put.status_code == 200, put.text
            assert verify(put.headers[HEADER], (KEY,)) > 0
            got = await client.get(url, headers=headers)
            assert got.status_code == 200, got.text
            stale += got.json()["headline"] != f"version {i}"
        assert stale == 0
        # The same read by someone who never wrote goes to the replica, which has not replayed it yet.
        put = await client.put(url, json=profile_body(headline="final", skills=[]), headers=headers)
        assert put.status_code == 200
        other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        async with other:
            seen = await other.get(url, headers=headers)
        assert seen.status_code == 404 or seen.json()["headline"] != "final"
    finally:
        cluster.replica.set_delay(0)


async def test_reads_move_to_the_replica_once_it_has_replayed_the_write(
    cluster: Cluster, app: FastAPI, client: httpx.AsyncClient
) -> None:
    user_id, headers = await freelancer(client, "caught@example.com")
    url = f"/api/v1/freelancers/{user_id}/profile"
    assert (await client.put(url, json=profile_body(skills=[]), headers=headers)).status_code == 200
    assert COOKIE in client.cookies
    await asyncio.to_thread(cluster.wait_caught_up)
    counters = routed(app).counters
    before = (counters.replica, counters.primary, counters.lag_checks)
    for _ in range(5):
        assert (await client.get(url, headers=headers)).json()["headline"] == "Backend developer"
    # One round trip learned that the replica has replayed the caller's LSN; every read then ran there.
    assert counters.replica - before[0] >= 5
    assert (counters.primary - before[1], counters.lag_checks - before[2]) == (0, 1)


async def test_a_forged_lsn_is_ignored_and_a_signed_one_in_the_header_is_honoured(
    cluster: Cluster, app: FastAPI, client: httpx.AsyncClient
) -> None:
    user_id, headers = await freelancer(client, "forger@example.com")
    client.cookies.clear()
    url = f"/api/v1/freelancers/{user_id}/profile"
    counters = routed(app).counters
    huge = (1 << 62) - 1
    before = counters.replica
    forged = sign(huge, "another-key-0123456789abcdef0123456789")
    await client.get(url, headers={**headers, HEADER: forged})
    assert counters.replica == before + 1  # no LSN: the replica
    await client.get(url, headers={**headers, HEADER: sign(huge, KEY)})
    assert counters.replica == before + 1  # an LSN no replica has replayed: the primary
    for bad in ("", "zz.abc", "1", "f" * 17 + ".x"):
        assert verify(bad, (KEY,)) == 0


async def test_sessions_transactions_and_cache_fills(cluster: Cluster) -> None:
    db = open_database(replica_settings(cluster))
    assert isinstance(db, PostgresDatabase)
    await db.connect()
    try:
        counters = routed_db(db).counters
        start = (counters.replica, counters.primary)
        where = "SELECT pg_is_in_recovery()"
        # Without a request's session (a job worker, a command): the primary.
        assert await db.fetch_val(_q(where)) is False
        with read_session():
            assert await db.fetch_val(_q(where)) is True
            with on_primary():
                assert await db.fetch_val(_q(where)) is False
            async with db.transaction() as conn:
                assert await conn.fetch_val(_q(where)) is False
            # A session that committed read the primary for the rest of its request.
            assert await db.fetch_val(_q(where)) is False
        assert (counters.replica - start[0], counters.primary - start[1]) == (1, 1)
    finally:
        await db.close()


def routed_db(db: PostgresDatabase) -> RoutedReads:
    assert db.routed is not None
    return db.routed


def _q(sql: str) -> sa.TextClause:
    return sa.text(sql)


async def test_a_stopped_replica_sends_reads_to_the_primary(
    cluster: Cluster, app: FastAPI, client: httpx.AsyncClient
) -> None:
    user_id, headers = await freelancer(client, "down@example.com")
    client.cookies.clear()
    url = f"/api/v1/freelancers/{user_id}/profile"
    await asyncio.to_thread(cluster.replica.pause)
    try:
        failures = routed(app).counters.failures
        # the check of a carried LSN fails first: the primary answers
        carried = {**headers, HEADER: sign(1 << 40, KEY)}
        assert (await client.get(url, headers=carried)).status_code == 404
        assert routed(app).counters.failures == failures + 1
        for _ in range(5):
            assert (await client.get(url, headers=headers)).status_code == 404  # no profile: but no 5xx
        ready = (await client.get("/ready")).json()
        assert ready["status"] == "ready" and ready["replica"]["failures"] >= 1
    finally:
        await asyncio.to_thread(cluster.replica.resume)


def test_a_replica_needs_postgresql() -> None:
    with pytest.raises(ValueError, match="DATABASE_REPLICA_URL needs PostgreSQL"):
        make_settings("sqlite:///x.db", DATABASE_REPLICA_URL="postgresql://u@127.0.0.1:1/x")


async def test_asyncpg_reads_lsn_as_integers(cluster: Cluster) -> None:
    conn = await asyncpg.connect(cluster.primary.url(DB))
    try:
        assert await conn.fetchval(COMMIT_LSN_SQL) > 0
    finally:
        await conn.close()


async def test_log_in_at_once_after_signing_up_elsewhere(cluster: Cluster, app: FastAPI) -> None:
    """Credentials are checked on the primary: a cookie-less client logs in while the replica lags."""
    cluster.replica.set_delay(2000)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as signer:
            await signup(signer, "fresh@example.com", role="freelancer")
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            login = await other.post(
                "/api/v1/auth/login", json={"email": "fresh@example.com", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            logout = await other.post(
                "/api/v1/auth/logout", json={"refresh_token": login.json()["refresh_token"]}
            )
        assert logout.status_code == 204, logout.text
    finally:
        cluster.replica.set_delay(0)
