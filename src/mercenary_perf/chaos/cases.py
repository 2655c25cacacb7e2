"""The four chaos cases (RES-5): real processes, a fault under load, a verdict.

Each case starts what it needs (``mercenary serve`` on a fresh database, PostgreSQL or Redis on
free loopback ports), signs a client up over HTTP, runs :class:`~mercenary_perf.chaos.load.Load`,
injects its fault after ``pre_s``, lifts it, keeps the load on for ``post_s``, lets the pending
writes finish (``drain_s``), then reads the database to check every acknowledged write.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg

from mercenary_perf.chaos.load import Load, Sample, percentile, window
from mercenary_perf.data import postgres_dsn, sqlite_path
from mercenary_perf.rig.procs import free_port, stop
from mercenary_perf.rig.service import Mercenary
from mercenary_perf.rig.services import Postgres, Redis

PASSWORD = "chaos-run-password"  # noqa: S105 (a throwaway account on a throwaway database)
# Holds SQLite's writer lock from another process: BEGIN IMMEDIATE, say so, sleep, let go.
LOCKER = (
    "import sqlite3, sys, time\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "c.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "c.execute('ROLLBACK')\n"
)


@dataclass(frozen=True)
class Options:
    """Durations (seconds) and bounds of a run."""

    pre_s: float = 5.0
    post_s: float = 10.0
    drain_s: float = 20.0
    pg_outage_s: float = 30.0
    redis_outage_s: float = 15.0
    lock_s: float = 10.0
    down_s: float = 2.0
    deadline_s: float = 5.0  # the service's REQUEST_TIMEOUT_S
    recovery_s: float = 5.0  # the bound on recovery after a dependency returns
    redis_p99_ms: float = 250.0  # the latency bound while Redis is down
    idempotency_lock_s: int = 3  # IDEMPOTENCY_LOCK_S of the killed service: when a dead claim is taken over
    sqlite_busy_ms: int | None = None  # SQLITE_BUSY_TIMEOUT_MS (the service's default when None)
    write_rate: float = 20.0
    read_rate: float = 40.0


@dataclass
class Result:
    """One row of the table."""

    case: str
    sent: int = 0
    failed: int = 0
    lost: int = 0
    recovery_s: float | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether every check of the case held."""
        return not self.problems


@dataclass
class Run:
    """What a case runs against: the service's command, a state folder, the service's environment."""

    svc: Mercenary
    state: Path
    opts: Options


def service_env(opts: Options, **extra: str) -> dict[str, str]:
    """The environment of a chaos service: one worker, the stated deadline, no access log."""
    return {"REQUEST_TIMEOUT_S": str(opts.deadline_s), "ACCESS_LOG": "false", "LOG_LEVEL": "WARNING", **extra}


async def sign_in(base: str, tag: str) -> tuple[str, int]:
    """Sign a client up (its own organization) and create one project; (access token, project id)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        body = {
            "email": f"chaos-{tag}-{os.getpid()}@example.com",
            "password": PASSWORD,
            "name": "Chaos client",
            "role": "client",
            "organization": f"Chaos {tag}",
        }
        async with session.post(base + "/api/v1/auth/signup", json=body) as resp:
            if resp.status != 201:
                raise RuntimeError(f"sign-up failed: {resp.status} {await resp.text()}")
            token = str((await resp.json())["access_token"])
        project = {"title": f"Chaos {tag} read", "description": "Read by the chaos run.", "budget": 1}
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(base + "/api/v1/projects", json=project, headers=headers) as resp:
            if resp.status != 201:
                raise RuntimeError(f"project creation failed: {resp.status} {await resp.text()}")
            return token, int((await resp.json())["id"])


async def stored(db_url: str, tag: str) -> dict[str, list[int]]:
    """The ids of the chaos writes in the database, by title."""
    sql = "SELECT id, title FROM projects WHERE title LIKE $1 ORDER BY id"
    pattern = f"Chaos {tag} 0%"
    if db_url.startswith("sqlite"):
        with sqlite3.connect(f"file:{sqlite_path(db_url)}?mode=ro", uri=True, timeout=30) as conn:
            rows = conn.execute(sql.replace("$1", "?"), (pattern,)).fetchall()
    else:
        conn = await asyncpg.connect(postgres_dsn(db_url))
        try:
            rows = [tuple(r) for r in await conn.fetch(sql, pattern)]
        finally:
            await conn.close()
    found: dict[str, list[int]] = {}
    for row_id, title in rows:
        found.setdefault(str(title), []).append(int(row_id))
    return found


async def drive(
    run: Run, base: str, db_url: str, tag: str, fault: Callable[[Load], Awaitable[float]]
) -> tuple[Load, float, Result]:
    """Load the service, inject ``fault`` (which returns when the dependency came back, in the
    load's seconds) after ``pre_s``; then the audit of the writes: (load, return time, result)."""
    token, project_id = await sign_in(base, tag)
    opts = run.opts
    load = Load(base, token, project_id, tag, write_rate=opts.write_rate, read_rate=opts.read_rate)
    load.timeout_s = opts.deadline_s + 3
    stopped = asyncio.Event()
    runner = asyncio.create_task(load.run(stopped))
    await asyncio.sleep(opts.pre_s)
    back = await fault(load)
    await asyncio.sleep(opts.post_s)
    stopped.set()
    try:
        await asyncio.wait_for(asyncio.shield(runner), opts.drain_s)
    except TimeoutError:
        load.give_up.set()
        await runner
    result = Result(tag, sent=len(load.samples), failed=sum(not s.ok for s in load.samples))
    found = await stored(db_url, tag)
    acked = [w for w in load.writes if w.acked is not None]
    lost = [w for w in acked if found.get(w.title) != [w.acked]]
    result.lost = len(lost)
    twice = sum(len(ids) > 1 for ids in found.values())
    unacked = len(load.writes) - len(acked)
    result.notes.append(f"{len(load.writes)} writes, {len(acked)} acknowledged, {twice} stored twice")
    if lost:
        result.problems.append(f"{len(lost)} acknowledged writes not stored exactly once")
    if twice:
        result.problems.append(f"{twice} writes stored more than once")
    if unacked:
        gave_up = f"{unacked} writes never acknowledged (the client retried for {opts.drain_s:g} s)"
        result.problems.append(gave_up)
    if not acked:
        result.problems.append("no write was acknowledged")
    writes = [s.elapsed for s in load.samples if s.kind == "write"]
    p50, slowest = percentile(writes, 0.5) * 1000, max(writes, default=0) * 1000
    result.notes.append(f"write latency p50 {p50:.0f} ms, max {slowest:.0f} ms")
    leaks = sum(s.leak for s in load.samples)
    if leaks:
        result.problems.append(f"{leaks} responses show internals (a traceback, SQL, a driver)")
    return load, back, result


def recovery(samples: list[Sample], back: float) -> float | None:
    """Seconds from ``back`` (the dependency's return) until requests succeed again: the later of
    the first success sent after it and the last failure answered after it; None if none succeeded."""
    first_ok = min((s.ended for s in samples if s.ok and s.sent >= back), default=None)
    if first_ok is None:
        return None
    last_failure = max((s.ended for s in samples if not s.ok and s.ended >= back), default=back)
    return round(max(first_ok, last_failure) - back, 2)


def fails_other_than(samples: list[Sample], codes: set[str], *, retry_after: bool = True) -> list[Sample]:
    """The failures that are not a 503 problem with one of ``codes`` (and Retry-After)."""
    return [
        s
        for s in samples
        if not s.ok
        and not (s.status == 503 and s.problem and s.code in codes and (s.retry_after or not retry_after))
    ]


def describe(samples: list[Sample]) -> str:
    """A short tally of failures by status and code."""
    tally: dict[str, int] = {}
    for s in samples:
        what = f"{s.status or 'no answer'}{f' {s.code}' if s.code else ''}"
        tally[what] = tally.get(what, 0) + 1
    return ", ".join(f"{k} x{v}" for k, v in sorted(tally.items()))


async def postgres_down(run: Run, pg: Postgres) -> Result:
    """PostgreSQL stopped under load: 503 problems within the deadline, recovery without a restart."""
    opts = run.opts
    pg.psql("CREATE DATABASE chaos_down")
    db_url = pg.url("chaos_down")
    await asyncio.to_thread(run.svc.run, "migrate", db_url=db_url)
    proc, base, _ = await asyncio.to_thread(run.svc.serve, db_url, 1)
    stopped_at = 0.0

    async def fault(load: Load) -> float:
        nonlocal stopped_at
        stopped_at = load.now()
        await asyncio.to_thread(pg.halt)
        await asyncio.sleep(opts.pg_outage_s)
        await asyncio.to_thread(pg.resume)
        return load.now()

    try:
        load, back, result = await drive(run, base, db_url, "postgres", fault)
    finally:
        await asyncio.to_thread(stop, proc)
    result.case = f"PostgreSQL stopped {opts.pg_outage_s:g} s"
    during = window(load.samples, stopped_at, back)
    bad = fails_other_than(during, {"database_unavailable", "database_busy", "deadline_exceeded"})
    if bad:
        result.problems.append(f"failures that are not a 503 problem with Retry-After: {describe(bad)}")
    slowest = max((s.elapsed for s in load.samples), default=0.0)
    if slowest > opts.deadline_s + 1:
        result.problems.append(f"a request took {slowest:.1f} s (deadline {opts.deadline_s:g} s)")
    result.recovery_s = recovery(load.samples, back)
    if result.recovery_s is None or result.recovery_s > opts.recovery_s:
        result.problems.append(f"recovery {result.recovery_s} s (bound {opts.recovery_s:g} s)")
    result.notes.append(f"during the outage: {describe([s for s in during if not s.ok]) or 'no failure'}")
    result.notes.append(f"slowest answer {slowest * 1000:.0f} ms")
    return result


async def redis_killed(run: Run) -> Result:
    """Redis (cache and rate limits) killed under load: no 5xx, latency within the bound."""
    opts = run.opts
    redis = await asyncio.to_thread(Redis.start, run.state / "redis")
    db_url = f"sqlite:///{(run.state / 'redis-case.db').resolve()}"
    await asyncio.to_thread(run.svc.run, "migrate", db_url=db_url)
    env_before = run.svc.env
    run.svc.env = {**env_before, "CACHE_URL": redis.url, "RATE_LIMIT_URL": redis.url}
    try:
        proc, base, _ = await asyncio.to_thread(run.svc.serve, db_url, 1)
    finally:
        run.svc.env = env_before
    killed_at = 0.0
    closed_after: list[float] = []

    async def fault(load: Load) -> float:
        nonlocal killed_at
        killed_at = load.now()
        await asyncio.to_thread(redis.kill)
        await asyncio.sleep(opts.redis_outage_s)
        await asyncio.to_thread(redis.restart)
        back = load.now()
        closed_after.extend(await breakers_closed(base, back, load, opts.post_s))
        return back

    try:
        load, back, result = await drive(run, base, db_url, "redis", fault)
    finally:
        await asyncio.to_thread(stop, proc)
        await asyncio.to_thread(redis.stop)
    result.case = f"Redis killed {opts.redis_outage_s:g} s"
    server_errors = [s for s in load.samples if s.status >= 500 or s.status == 0]
    if server_errors:
        result.problems.append(f"5xx or no answer: {describe(server_errors)}")
    during = window(load.samples, killed_at, back)
    p99 = percentile([s.elapsed for s in during], 0.99) * 1000
    if p99 > opts.redis_p99_ms:
        result.problems.append(f"p99 {p99:.0f} ms while Redis was down (bound {opts.redis_p99_ms:g} ms)")
    before = window(load.samples, 0, killed_at)
    result.notes.append(
        f"p99 {percentile([s.elapsed for s in before], 0.99) * 1000:.0f} ms before, {p99:.0f} ms while down "
        f"(max {max((s.elapsed for s in during), default=0) * 1000:.0f} ms)"
    )
    result.recovery_s = closed_after[0] if closed_after else None
    if result.recovery_s is None:
        result.problems.append("the breakers did not close after Redis came back")
    else:
        result.notes.append("recovery: until /ready shows both breakers closed")
    return result


async def breakers_closed(base: str, back: float, load: Load, within_s: float) -> list[float]:
    """Seconds from ``back`` until /ready shows every breaker closed ([] if not within ``within_s``)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while load.now() - back < within_s:
            try:
                async with session.get(base + "/ready") as resp:
                    body = await resp.json(content_type=None)
                if all(b["state"] == "closed" for b in body["breakers"].values()):
                    return [round(load.now() - back, 2)]
            except (aiohttp.ClientError, TimeoutError, ValueError, KeyError):
                pass
            await asyncio.sleep(0.1)
    return []


async def sqlite_locked(run: Run) -> Result:
    """SQLite's file locked by another process: 503 database_busy with Retry-After, no write lost."""
    opts = run.opts
    path = (run.state / "locked-case.db").resolve()
    db_url = f"sqlite:///{path}"
    await asyncio.to_thread(run.svc.run, "migrate", db_url=db_url)
    env_before = run.svc.env
    if opts.sqlite_busy_ms is not None:
        run.svc.env = {**env_before, "SQLITE_BUSY_TIMEOUT_MS": str(opts.sqlite_busy_ms)}
    try:
        proc, base, _ = await asyncio.to_thread(run.svc.serve, db_url, 1)
    finally:
        run.svc.env = env_before
    locked_at = 0.0

    async def fault(load: Load) -> float:
        nonlocal locked_at
        locker = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LOCKER, str(path), str(opts.lock_s), stdout=asyncio.subprocess.PIPE
        )
        assert locker.stdout is not None
        await locker.stdout.readline()  # "locked"
        locked_at = load.now()
        await locker.wait()
        return load.now()

    try:
        load, back, result = await drive(run, base, db_url, "sqlite", fault)
    finally:
        await asyncio.to_thread(stop, proc)
    result.case = f"SQLite locked {opts.lock_s:g} s"
    bad = fails_other_than(load.samples, {"database_busy"})
    if bad:
        result.problems.append(f"failures that are not 503 database_busy with Retry-After: {describe(bad)}")
    during = window(load.samples, locked_at, back)
    busy = sum(s.code == "database_busy" for s in during)
    reads = [s for s in during if s.kind == "read"]
    result.notes.append(
        f"while locked: {busy} x 503 database_busy; reads {sum(s.ok for s in reads)}/{len(reads)} answered"
    )
    result.recovery_s = recovery(load.samples, back)
    if result.recovery_s is None or result.recovery_s > opts.recovery_s:
        result.problems.append(f"recovery {result.recovery_s} s (bound {opts.recovery_s:g} s)")
    return result


async def api_killed(run: Run, pg: Postgres) -> Result:
    """An API process SIGKILLed under writes retried with Idempotency-Key, then restarted: every
    acknowledged write exists exactly once."""
    opts = run.opts
    pg.psql("CREATE DATABASE chaos_kill")
    db_url = pg.url("chaos_kill")
    await asyncio.to_thread(run.svc.run, "migrate", db_url=db_url)
    env_before = run.svc.env
    run.svc.env = {**env_before, "IDEMPOTENCY_LOCK_S": str(opts.idempotency_lock_s)}
    port = free_port()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        proc, base, _ = await asyncio.to_thread(run.svc.serve, db_url, 1, port=port)
        procs.append(proc)
        killed_at = 0.0
        startup: list[float] = []

        async def fault(load: Load) -> float:
            nonlocal killed_at
            killed_at = load.now()
            os.kill(procs[0].pid, signal.SIGKILL)
            await asyncio.to_thread(procs[0].wait, 10)
            await asyncio.sleep(opts.down_s)
            restarted = load.now()
            again, _, _ = await asyncio.to_thread(run.svc.serve, db_url, 1, port=port)
            procs.append(again)
            startup.append(load.now() - restarted)
            return load.now()  # the process is back once it answers /health

        load, back, result = await drive(run, base, db_url, "kill", fault)
    finally:
        for p in procs:
            await asyncio.to_thread(stop, p)
        run.svc.env = env_before
    result.case = "API process SIGKILLed"
    killed = window(load.samples, killed_at, back)
    result.notes.append(f"{len(killed)} requests sent while it was down")
    bad = [s for s in load.samples if s.status >= 500 and not (s.status == 503 and s.problem)]
    if bad:
        result.problems.append(f"server errors: {describe(bad)}")
    result.recovery_s = recovery(load.samples, back)
    result.notes.append(
        f"down {opts.down_s:g} s, then restarted: up after {startup[0]:.1f} s; recovery from then on; "
        f"failures: {describe([s for s in load.samples if not s.ok]) or 'none'}"
    )
    if result.recovery_s is None or result.recovery_s > opts.recovery_s + opts.idempotency_lock_s:
        bound = opts.recovery_s + opts.idempotency_lock_s
        result.problems.append(
            f"recovery {result.recovery_s} s (bound {bound:g} s: with the takeover of a dead claim)"
        )
    return result


async def run_all(run: Run, only: set[str]) -> list[Result]:
    """The cases named in ``only`` (all of: postgres, redis, sqlite, kill), in that order."""
    results: list[Result] = []
    pg = await asyncio.to_thread(Postgres.start) if only & {"postgres", "kill"} else None
    try:
        if pg is not None and "postgres" in only:
            results.append(await postgres_down(run, pg))
        if "redis" in only:
            results.append(await redis_killed(run))
        if "sqlite" in only:
            results.append(await sqlite_locked(run))
        if pg is not None and "kill" in only:
            results.append(await api_killed(run, pg))
    finally:
        if pg is not None:
            await asyncio.to_thread(pg.stop)
    return results
