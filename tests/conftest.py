"""Session fixtures: real PostgreSQL and Redis on free loopback ports, a freshly migrated database
per test on each backend, and the app wired to it."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from mercenary.app import create_app
from mercenary.db import Database, open_database
from mercenary.db.migrate import upgrade
from mercenary.settings import Settings
from tests.support.network import loopback_only
from tests.support.servers import PostgresServer, RedisServer, S3Server

BACKENDS = ("sqlite", "postgresql")
T = TypeVar("T")
# Blobs the app stores during the session, a folder per settings object (removed at the end).
BLOB_ROOT = Path(tempfile.gettempdir()) / f"mercenary-test-blobs-{os.getpid()}"


def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking code (Alembic drives its own event loop) off the test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


@pytest.fixture(scope="session", autouse=True)
def _blob_folders() -> Iterator[None]:
    yield
    shutil.rmtree(BLOB_ROOT, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _loopback_only() -> Iterator[None]:
    """No test connects outside loopback (tests/support/network.py)."""
    with loopback_only():
        yield


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = S3Server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    in_thread(upgrade, f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer) -> str:
    async def create() -> None:
        conn = await asyncpg.connect(pg_server.admin_url)
        await conn.execute("CREATE DATABASE mercenary_template")
        await conn.close()

    in_thread(asyncio.run, create())
    in_thread(upgrade, pg_server.url("mercenary_template"))
    return "mercenary_template"


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated, empty database on each backend (a file copy / a template clone)."""
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(server.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        yield server.url(name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def make_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for tests: fast password hashing, in-process cache unless overridden."""
    values: dict[str, Any] = {
        "MERCENARY_ENV": "test",
        "DATABASE_URL": database_url,
        "CACHE_URL": "memory://",
        "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
        "ARGON2_MEMORY_KIB": 8192,
        "ARGON2_TIME_COST": 1,
        "DB_POOL_SIZE": 5,
        # Off unless a test turns it on (tests/api/test_load_shedding.py): a test holding the pool,
        # or this shared machine's load lagging the loop, would otherwise shed a search at random.
        "SHED_ENABLED": False,
        "BLOB_URL": f"file:///{BLOB_ROOT / uuid.uuid4().hex}",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(request: pytest.FixtureRequest, database_url: str) -> Settings:
    """SQLite runs with the in-process cache and the embedded queue (a file beside the database);
    PostgreSQL with Redis for both (its own key prefix per test, as every test has a database of
    its own), as they are deployed."""
    if database_url.startswith("sqlite"):
        return make_settings(database_url)
    redis: RedisServer = request.getfixturevalue("redis_server")
    prefix = f"t{uuid.uuid4().hex[:12]}:"
    return make_settings(
        database_url,
        CACHE_URL=redis.url,
        CACHE_PREFIX=prefix,
        QUEUE_URL=redis.url,
        QUEUE_NAMESPACE=f"{prefix}jobs",
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = open_database(settings)
    await database.connect()
    yield database
    await database.close()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--fuzz-examples N``: requests per operation and mode in the OpenAPI fuzzing (scripts/fuzz)."""
    parser.addoption("--fuzz-examples", type=int, default=6, help="fuzzed requests per operation and mode")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the files with slow tests first, and mark which storage backend each parametrized test
    runs on, for the summary (in the report's user properties, which reach the summary when the
    suite runs in several processes too).

    ``scripts/test`` hands whole files to one process per core as each becomes free: the long files
    started first keep one of them from running a long file alone at the end."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: files stay in one piece
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("database_url") in BACKENDS:
            item.user_properties.append(("backend", params["database_url"]))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Show how many tests ran on each storage backend."""
    counts: Counter[tuple[str, str]] = Counter()
    for outcome in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            backend = dict(getattr(report, "user_properties", ())).get("backend")
            if backend and (report.when == "call" or outcome == "error"):
                counts[(backend, outcome)] += 1
    if counts:
        terminalreporter.section("storage backends")
        for backend in BACKENDS:
            parts = [
                f"{counts[(backend, o)]} {o}" for o in ("passed", "failed", "error") if counts[(backend, o)]
            ]
            terminalreporter.write_line(f"{backend:<11} {', '.join(parts) or 'no tests'}")
