"""The queue's guarantees (JOB-2..5), one suite over the embedded queue and Redis, with real worker
processes (``mercenary worker``) running the jobs of ``tests/support/jobs.py``."""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mercenary.backends.queue import JobSpec
from mercenary.backends.queue.client import build_message
from mercenary.backends.queue.tables import job_dead_letters, job_outbox
from mercenary.settings import Settings
from mercenary.state import AppState
from tests.conftest import make_settings
from tests.support import jobs
from tests.support.servers import RedisServer
from tests.support.workers import ROOT, WorkerProcess, lines, settings_env, wait_for, wait_until

QUEUES = ("sqlite", "redis")
# Short timeouts, so that recovery shows within a test: a dead worker is noticed after 2 s on
# Redis, the outbox relay looks twice a second.
FAST = {
    "QUEUE_DEAD_WORKER_S": 2,
    "OUTBOX_RELAY_INTERVAL_S": 0.3,
    "OUTBOX_RELAY_AFTER_S": 0.5,
    "WORKER_STOP_TIMEOUT_S": 10,
}


@pytest.fixture(params=QUEUES)
def queue_settings(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Settings:
    """An SQLite application database of its own and, per parameter, the embedded queue beside it
    or Redis under a namespace of its own."""
    database = tmp_path / "app.db"
    shutil.copyfile(sqlite_template, database)
    if request.param == "sqlite":
        return make_settings(f"sqlite:///{database}", **FAST)
    redis: RedisServer = request.getfixturevalue("redis_server")
    return make_settings(
        f"sqlite:///{database}", QUEUE_URL=redis.url, QUEUE_NAMESPACE=f"t{uuid.uuid4().hex[:12]}", **FAST
    )


@pytest.fixture
async def state(queue_settings: Settings) -> AsyncIterator[AppState]:
    opened = await AppState.open(queue_settings)
    yield opened
    await opened.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    return out


@pytest.fixture
async def workers(queue_settings: Settings, tmp_path: Path) -> AsyncIterator[list[WorkerProcess]]:
    """The worker processes a test starts; any left running are stopped (killed if they hang)."""
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        if worker.proc.poll() is None:
            worker.kill()


async def start_worker(settings: Settings, workers: list[WorkerProcess], tmp_path: Path) -> WorkerProcess:
    worker = await WorkerProcess.start(settings, tmp_path / f"worker{len(workers)}.log")
    workers.append(worker)
    return worker


async def send(state: AppState, spec: JobSpec, **kwargs: object) -> None:
    await state.queue.send(build_message(spec, dict(kwargs), str(uuid.uuid4())))


async def count(state: AppState, table: str) -> int:
    table_ = {"job_outbox": job_outbox, "job_dead_letters": job_dead_letters}[table]
    return int(await state.db.fetch_val(sa.select(sa.func.count()).select_from(table_)))


async def test_a_high_job_starts_before_a_backlog_of_low_ones(
    state: AppState, queue_settings: Settings, folder: Path, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    for n in range(1_000):
        await send(state, jobs.RECORD_LOW, folder=str(folder), n=n, sleep_s=0.01)
    await send(state, jobs.RECORD_HIGH, folder=str(folder))
    assert await state.queue.depth("low") == 1_000
    worker = await start_worker(queue_settings, workers, tmp_path)
    await wait_for(lambda: "high" in lines(folder / "order.txt"), 30, "the high job")
    assert await worker.stop() == 0
    order = lines(folder / "order.txt")
    # At most the low jobs a worker holds ahead of time (2 threads, prefetch 2 each) went first.
    assert order.index("high") <= 6, order[:10]
    assert await state.queue.depth("low") >= 900


@pytest.mark.slow
async def test_a_poison_job_is_retried_with_growing_delays_then_dead_lettered_and_requeued(
    state: AppState, queue_settings: Settings, folder: Path, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    await send(state, jobs.POISON, folder=str(folder))
    await start_worker(queue_settings, workers, tmp_path)

    async def dead() -> int:
        return await count(state, "job_dead_letters")

    await wait_until(dead, 60, "the dead letter")
    assert await dead() == 1
    starts = [float(line.split()[0]) for line in lines(folder / "poison.log")]
    assert len(starts) == 4  # the first run and max_retries=3 retries, then no more
    delays = [b - a for a, b in itertools.pairwise(starts)]
    # Exponential backoff with jitter: the n-th delay is 1 s x 2^n to twice that (plus up to about
    # 2 s of polling by the worker's consumers).
    for n, delay in enumerate(delays):
        assert delay >= 2**n * 0.95, delays
    assert delays[2] > delays[0], delays
    letter = (await state.db.fetch_all(sa.select(job_dead_letters)))[0]
    assert letter["job"] == "tests.poison" and letter["priority"] == "default"
    assert letter["attempts"] == 4 and "RuntimeError: poisoned" in letter["error"]

    env = settings_env(queue_settings)
    listed = subprocess.run(
        [sys.executable, "-m", "mercenary.cli", "jobs", "dead"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(f"{letter['id']}\t") and "tests.poison" in listed.stdout
    assert "RuntimeError: poisoned" in listed.stdout
    requeued = subprocess.run(
        [
            sys.executable,
            "-m",
            "mercenary.cli",
            "jobs",
            "requeue",
            str(letter["id"]),
            "--module",
            "tests.support.jobs",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert requeued.returncode == 0, requeued.stderr
    assert await dead() == 0
    await wait_for(lambda: len(lines(folder / "poison.log")) >= 5, 30, "the requeued job to run")


async def test_requeue_refuses_unknown_ids_and_needs_a_choice(queue_settings: Settings) -> None:
    env = settings_env(queue_settings)
    for args, code in ((["12345"], 1), ([], 2)):
        out = subprocess.run(
            [sys.executable, "-m", "mercenary.cli", "jobs", "requeue", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert out.returncode == code, out.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_job_is_sent_only_after_commit(state: AppState, folder: Path) -> None:
    with pytest.raises(RuntimeError):
        async with state.db.transaction() as conn:
            await state.queue.enqueue(conn, jobs.SLOW, folder=str(folder), tag="rolled", seconds=0)
            raise RuntimeError("roll back")
    assert await state.queue.depth("default") == 0
    assert await count(state, "job_outbox") == 0
    async with state.db.transaction() as conn:
        await state.queue.enqueue(conn, jobs.SLOW, folder=str(folder), tag="kept", seconds=0)
        assert await state.queue.depth("default") == 0  # not before COMMIT
    await state.queue.drain()
    assert await state.queue.depth("default") == 1
    assert await count(state, "job_outbox") == 0  # sent, so the outbox row is gone


async def test_a_job_whose_queue_is_down_at_commit_runs_later(
    queue_settings: Settings, folder: Path, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    down_url = (
        f"sqlite:///{blocker}/queue.db"
        if queue_settings.queue_url.startswith("sqlite")
        else f"redis://127.0.0.1:{_closed_port()}/0"
    )
    down = await AppState.open(queue_settings.model_copy(update={"QUEUE_URL": down_url}))
    try:
        async with down.db.transaction() as conn:
            await down.queue.enqueue(conn, jobs.SLOW, folder=str(folder), tag="outbox", seconds=0)
        await down.queue.drain()
        assert await count(down, "job_outbox") == 1
    finally:
        await down.close()
    await start_worker(queue_settings, workers, tmp_path)
    await wait_for(lambda: (folder / "outbox.done").exists(), 30, "the relayed job")
    state = await AppState.open(queue_settings)
    try:
        assert await count(state, "job_outbox") == 0
    finally:
        await state.close()


async def test_a_job_whose_worker_is_killed_runs_again_with_one_result(
    state: AppState, queue_settings: Settings, folder: Path, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    await send(state, jobs.SLOW, folder=str(folder), tag="kill", seconds=2.0)
    first = await start_worker(queue_settings, workers, tmp_path)
    await wait_for(lambda: lines(folder / "kill.log"), 30, "the job to start")
    first.kill()
    assert not (folder / "kill.done").exists()
    await start_worker(queue_settings, workers, tmp_path)
    await wait_for(lambda: (folder / "kill.done").exists(), 60, "the job to run again")
    runs = lines(folder / "kill.log")
    assert len(runs) == 2 and runs[0].split()[1] != runs[1].split()[1]  # two processes ran it
    assert (folder / "kill.done").read_text() == "done"


async def test_sigterm_lets_the_running_job_finish(
    state: AppState, queue_settings: Settings, folder: Path, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    await send(state, jobs.SLOW, folder=str(folder), tag="term", seconds=1.5)
    worker = await start_worker(queue_settings, workers, tmp_path)
    await wait_for(lambda: lines(folder / "term.log"), 30, "the job to start")
    assert await worker.stop() == 0
    assert (folder / "term.done").read_text() == "done"
    assert len(lines(folder / "term.log")) == 1
    assert await state.queue.depth("default") == 0  # acknowledged, not left to run again
