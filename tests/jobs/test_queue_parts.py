"""The queue's parts in one process: settings, specs, the broker mapping, the registry, /ready."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mercenary.backends.queue import JobSpec
from mercenary.backends.queue.brokers import UnsupportedQueueError, open_broker
from mercenary.backends.queue.sqlite import SQLiteBroker, path_of
from mercenary.worker.registry import job, load
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({"DATABASE_URL": "sqlite:///var/app.db"}, "sqlite:///var/app-queue.db"),
        ({"DATABASE_URL": "sqlite:////srv/data/app.db"}, "sqlite:////srv/data/app-queue.db"),
        ({"DATABASE_URL": "sqlite+aiosqlite:///var/app"}, "sqlite:///var/app-queue"),
        ({"DATABASE_URL": "postgresql://u@h/db"}, "sqlite:///var/mercenary-queue.db"),
        ({"DATABASE_URL": "postgresql://u@h/db", "REDIS_URL": "redis://r:6379/0"}, "redis://r:6379/0"),
        ({"REDIS_URL": "redis://r/0", "QUEUE_URL": "sqlite:///q.db"}, "sqlite:///q.db"),
    ],
)
def test_the_queue_url_defaults(env: dict[str, str], url: str) -> None:
    database = env.pop("DATABASE_URL", "sqlite:///var/app.db")
    assert make_settings(database, **env).queue_url == url


def test_an_unknown_queue_url_is_refused() -> None:
    with pytest.raises(UnsupportedQueueError):
        open_broker(make_settings("sqlite:///x.db", QUEUE_URL="amqp://rabbit/"))
    with pytest.raises(ValueError, match="sqlite:///path"):
        path_of("sqlite://")


@pytest.mark.parametrize(
    ("name", "priority"),
    [("refresh", "default"), ("reviews.", "default"), ("a.b.c", "default"), ("a.b", "urgent")],
)
def test_a_spec_is_named_domain_verb_with_a_known_priority(name: str, priority: str) -> None:
    with pytest.raises(ValueError):
        JobSpec(name, priority=priority)  # type: ignore[arg-type]


def test_a_job_has_one_handler() -> None:
    known = load()
    assert "reviews.refresh_rating" in known
    spec, handler = known["reviews.refresh_rating"]
    assert job(spec)(handler) is handler  # registering the same handler again is harmless

    async def other(state: object) -> None: ...

    with pytest.raises(ValueError, match="already has a handler"):
        job(spec)(other)


def test_the_embedded_broker_counts_flushes_and_joins(tmp_path: Path) -> None:
    from dramatiq.message import Message

    broker = SQLiteBroker(f"sqlite:///{tmp_path}/q/queue.db")
    try:
        broker.declare_queue("low")
        assert broker.get_declared_queues() == {"low"}
        broker.enqueue(Message(queue_name="low", actor_name="a.b", args=(), kwargs={}, options={}))
        broker.enqueue(
            Message(queue_name="low", actor_name="a.b", args=(), kwargs={}, options={}), delay=60_000
        )
        assert broker.depth("low") == 2
        with pytest.raises(TimeoutError):
            broker.join("low", timeout=50)
        broker.flush("low")
        broker.join("low", timeout=50)
        broker.enqueue(Message(queue_name="low", actor_name="a.b", args=(), kwargs={}, options={}))
        broker.flush_all()
        assert broker.depth("low") == 0
        broker.ping()
    finally:
        broker.close()


async def test_ready_reports_the_queue_depth(client: httpx.AsyncClient) -> None:
    body = (await client.get("/ready")).json()
    assert body["jobs"] == {"status": "up", "depth": {"high": 0, "default": 0, "low": 0}}


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database of the test's own (one backend is enough here)."""
    target = tmp_path / "app.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


async def test_ready_stays_ready_while_the_queue_is_down(sqlite_url: str, tmp_path: Path) -> None:
    from mercenary.app import create_app

    database_url = sqlite_url
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    app = create_app(make_settings(database_url, QUEUE_URL=f"sqlite:///{blocker}/queue.db"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["jobs"]["status"] == "down"


async def test_rows_of_unknown_jobs_stay_put(sqlite_url: str) -> None:
    """The relay and requeue leave a row whose job no worker knows (renamed, or a module not
    loaded) where it is, and say so."""
    import sqlalchemy as sa

    from mercenary.backends.queue.tables import job_dead_letters, job_outbox
    from mercenary.db.metadata import utcnow
    from mercenary.state import AppState
    from mercenary.worker.dead_letters import requeue
    from mercenary.worker.relay import relay_once

    state = await AppState.open(make_settings(sqlite_url))
    try:
        job = {"message_id": "m1", "job": "gone.away", "priority": "low", "kwargs": "{}"}
        await state.db.execute(sa.insert(job_outbox).values(**job, created_at=utcnow()))
        await state.db.execute(
            sa.insert(job_dead_letters).values(**job, attempts=1, error="x", failed_at=utcnow())
        )
        assert await relay_once(state, {}, after_s=0) == 0
        assert await requeue(state, None) == []
        for table in (job_outbox, job_dead_letters):
            assert await state.db.fetch_val(sa.select(sa.func.count()).select_from(table)) == 1
        assert await state.queue.depth("low") == 0
    finally:
        await state.close()


def test_a_jobs_wait_counts_from_when_it_was_due() -> None:
    from mercenary.backends.queue.client import build_message
    from mercenary.worker.metrics import waited_s

    message = build_message(JobSpec("tests.wait"), {}, "m1")
    created = message.message_timestamp
    assert waited_s(message, created + 1_500) == 1.5
    assert waited_s(message, created - 10) == 0.0  # clocks apart: never a negative wait
    # A retry is due after its backoff: the backoff is not time spent waiting for a worker.
    retried = message.copy(options={**message.options, "eta": created + 60_000})
    assert waited_s(retried, created + 60_250) == 0.25


def test_closing_the_sqlite_broker_while_another_thread_reads_it_does_not_crash(tmp_path: Path) -> None:
    # The API reads queue depths in its thread pool, and a read that outlives its timeout may still
    # run when the app shuts down and closes the broker: closing a connection under a running
    # statement crashed the process (a segfault), so this runs in a child process.
    code = f"""
import threading
from mercenary.backends.queue.sqlite import SQLiteBroker
broker = SQLiteBroker("sqlite:///{tmp_path / "queue.db"}")
broker.depth("default")
stop = threading.Event()
def reader():
    while not stop.is_set():
        broker.depth("default")
threads = [threading.Thread(target=reader) for _ in range(3)]
for t in threads:
    t.start()
for _ in range(3000):
    broker.close()
stop.set()
for t in threads:
    t.join()
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", (done.returncode, done.stderr[-2000:])


async def test_the_outbox_rows_of_sent_jobs_go_in_one_delete(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each committed transaction sends its job at once; the outbox rows of the jobs sent within a
    flush interval are deleted by one statement, not one write transaction per job."""
    import sqlalchemy as sa

    from mercenary.backends.queue.tables import job_outbox
    from mercenary.reviews.service import REFRESH_RATING
    from mercenary.state import AppState

    state = await AppState.open(make_settings(sqlite_url))
    deletes: list[int] = []
    execute = state.db.execute

    async def counted(query: object, /, **params: object) -> int:
        if getattr(query, "name", "").startswith("job_outbox.delete"):
            deletes.append(len(params.get("ids") or [params.get("id")]))  # type: ignore[arg-type]
        return await execute(query, **params)  # type: ignore[arg-type]

    monkeypatch.setattr(state.db, "execute", counted)
    try:
        for user_id in range(1, 21):
            async with state.db.transaction() as conn:
                await state.queue.enqueue(conn, REFRESH_RATING, user_id=user_id)
        await state.queue.drain()
        assert await state.db.fetch_val(sa.select(sa.func.count()).select_from(job_outbox)) == 0
        assert sum(deletes) == 20 and len(deletes) <= 2, deletes  # one flush (two if it split)
        assert await state.queue.depth(REFRESH_RATING.priority) == 20
    finally:
        await state.close()
