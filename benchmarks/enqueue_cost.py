"""What enqueueing a job adds to the request that does it, in process.

Not a test: a measurement. A write transaction (BEGIN, one INSERT, COMMIT) is timed with and
without ``queue.enqueue(conn, SPEC, ...)``, which adds the depth check (cached for a second), the
outbox INSERT in the transaction, and after COMMIT the send to the queue (in a thread) and the
outbox DELETE. Rounds alternate the two variants; a figure is the median over rounds of the mean
per transaction:

- until COMMIT returns: what the request waits (the send and the outbox DELETE run after, in the
  background);
- wall: elapsed time per transaction, sequentially, the background sends included;
- loop CPU: CPU time of the event loop's thread (what the enqueue takes from every other request);
- process CPU: CPU time of the whole process, the send's thread included.

On SQLite with the embedded queue, and on SQLite with Redis when ``redis-server`` is installed (a
throwaway one on a free port).

    taskset -c 0 .venv/bin/python benchmarks/enqueue_cost.py [--rounds 9] [--ops 300]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import sqlalchemy as sa

from mercenary.backends.queue import JobSpec
from mercenary.backends.queue.tables import job_dead_letters
from mercenary.db.metadata import utcnow
from mercenary.db.migrate import upgrade
from mercenary.settings import Settings
from mercenary.state import AppState
from mercenary_perf.rig.services import Redis

SPEC = JobSpec("bench.noop", priority="low")
# Any small write stands for the request's own work.
WRITE = sa.insert(job_dead_letters).values(
    message_id="m",
    job="bench.noop",
    priority="low",
    kwargs="{}",
    attempts=0,
    error="",
    failed_at=sa.bindparam("now"),
)


def settings_for(database: str, queue: str) -> Settings:
    return Settings(
        MERCENARY_ENV="test",
        DATABASE_URL=database,
        CACHE_URL="memory://",
        QUEUE_URL=queue,
        QUEUE_MAX_DEPTH=10_000_000,
        SECRET_KEY="benchmark-secret-key-0123456789abcdef0123",  # noqa: S106 (a throwaway database)
    )


async def measure(state: AppState, rounds: int, ops: int) -> dict[str, dict[str, float]]:
    async def plain() -> None:
        async with state.db.transaction() as conn:
            await conn.execute(WRITE, now=utcnow())

    async def enqueueing() -> None:
        async with state.db.transaction() as conn:
            await conn.execute(WRITE, now=utcnow())
            await state.queue.enqueue(conn, SPEC, user_id=42)

    variants: dict[str, Callable[[], Awaitable[None]]] = {"plain": plain, "enqueue": enqueueing}
    samples: dict[str, dict[str, list[float]]] = {
        v: {"latency": [], "wall": [], "loop": [], "cpu": []} for v in variants
    }
    for fn in variants.values():  # warm up: compiled statements, connections, threads
        for _ in range(50):
            await fn()
        await state.queue.drain()
    for _ in range(rounds):
        for name, fn in variants.items():
            wall, loop, cpu = time.perf_counter(), time.thread_time(), time.process_time()
            latency = 0.0
            for _ in range(ops):
                began = time.perf_counter()
                await fn()
                latency += time.perf_counter() - began
            await state.queue.drain()  # the sends belong to this variant's cost
            s = samples[name]
            s["latency"].append(latency / ops * 1e6)
            s["wall"].append((time.perf_counter() - wall) / ops * 1e6)
            s["loop"].append((time.thread_time() - loop) / ops * 1e6)
            s["cpu"].append((time.process_time() - cpu) / ops * 1e6)
    return {name: {k: statistics.median(v) for k, v in s.items()} for name, s in samples.items()}


async def run_one(label: str, settings: Settings, rounds: int, ops: int) -> None:
    state = await AppState.open(settings)
    try:
        figures = await measure(state, rounds, ops)
    finally:
        await state.close()
    plain, enq = figures["plain"], figures["enqueue"]
    print(f"\n{label}")
    print(f"  {'µs per transaction':<26}{'plain':>10}{'enqueue':>10}{'added':>10}")
    rows = (
        ("latency", "until COMMIT returns"),
        ("wall", "wall, sends included"),
        ("loop", "loop CPU"),
        ("cpu", "process CPU"),
    )
    for key, title in rows:
        print(f"  {title:<26}{plain[key]:>10.0f}{enq[key]:>10.0f}{enq[key] - plain[key]:>10.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--ops", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        upgrade(f"sqlite:///{database}")
        asyncio.run(
            run_one(
                "SQLite + embedded queue",
                settings_for(f"sqlite:///{database}", f"sqlite:///{tmp}/queue.db"),
                args.rounds,
                args.ops,
            )
        )
        if shutil.which("redis-server") or Path("/usr/bin/redis-server").exists():
            redis = Redis.start()
            try:
                asyncio.run(
                    run_one(
                        "SQLite + Redis queue",
                        settings_for(f"sqlite:///{database}", redis.url),
                        args.rounds,
                        args.ops,
                    )
                )
            finally:
                redis.stop()


if __name__ == "__main__":
    main()
