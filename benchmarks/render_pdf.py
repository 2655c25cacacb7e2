"""PDF profile rendering (SLO-11): render p95 and renders per second.

Not a test: a measurement, on a throwaway SQLite database and the embedded queue. Three figures:

1. the renderer alone (``profiles/render.py``: the Jinja2 template laid out by WeasyPrint), one
   thread, after a warm-up: latency percentiles and renders/s;
2. the job in process (``profiles.render_pdf``: the profile, skills and rating read, the render in
   the render pool's process, the PDF stored): what a worker waits per job, the figure ``lease_s``
   is set against (wall time: the layout's CPU is spent in the render process);
3. through real ``mercenary worker`` processes (``--setups``: worker processes x render processes
   each): every profile's PDF asked for over the API (each a 202 that queues a render), and
   renders/s measured from the first to the last PDF stored; with the peak RSS of a worker process
   and of a render process.

Profiles vary: names in several scripts, 3 to 15 skills, bios of 100 to 2,500 characters.

    .venv/bin/python benchmarks/render_pdf.py [--profiles 200] [--renders 300] [--setups 1x1 1x2 2x1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from cv_parse import descendants
from mercenary.app import create_app
from mercenary.db.migrate import upgrade
from mercenary.profiles import pdf
from mercenary.profiles.tables import profile_pdfs
from mercenary.settings import Settings
from seeding import add_skills

SKILLS = tuple(f"skill{i}" for i in range(1, 31))
NAMES = (
    "Ann Example",
    "Zo\u00eb Brontë",
    "\u0418\u0432\u0430\u043d \u041f\u0435\u0442\u0440\u043e\u0432",
    "Ji-woo Park",
)
WORDS = [
    "python",
    "django",
    "postgres",
    "api",
    "design",
    "testing",
    "delivery",
    "cloud",
    "data",
    "pipelines",
    "reliable",
    "fast",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(label: str, timed: Sequence[tuple[float, float | None]]) -> str:
    """One table row from (wall, CPU) seconds per render. On a shared machine the CPU time is what a
    render costs, the wall time also what the neighbours took; CPU is None where the render ran in
    another process (the render pool's)."""
    wall = [w * 1000 for w, _ in timed]
    cpu = [c * 1000 for _, c in timed if c is not None]
    if not cpu:
        return (
            f"| {label} | {len(wall)} | {statistics.median(wall):.1f} | {percentile(wall, 95):.1f} | "
            f"{percentile(wall, 99):.1f} | (another process) | | "
            f"{len(wall) / sum(wall) * 1000:.1f} per wall s |"
        )
    return (
        f"| {label} | {len(wall)} | {statistics.median(wall):.1f} | {percentile(wall, 95):.1f} | "
        f"{percentile(wall, 99):.1f} | {statistics.median(cpu):.1f} | {percentile(cpu, 95):.1f} | "
        f"{len(cpu) / (sum(cpu) / 1000):.1f} |"
    )


class Timer:
    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.thread_time() - self.cpu


def profile_body(rng: random.Random) -> dict[str, Any]:
    bio = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 380)))
    return {
        "headline": " ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
        "bio": bio[:2_500],
        "hourly_rate": rng.randint(20, 200),
        "availability": "available",
        "skills": rng.sample(SKILLS, rng.randint(3, 15)),
    }


def settings_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        if value is not None and not isinstance(value, tuple | list):
            env[name] = str(value)
    return env


def rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


Users = list[tuple[int, dict[str, str]]]


async def setup(settings: Settings, profiles: int) -> tuple[Any, httpx.AsyncClient, Users]:
    app = create_app(settings)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    await add_skills(app, SKILLS)
    rng = random.Random(7)
    users = []
    for i in range(profiles):
        signup = await client.post(
            "/api/v1/auth/signup",
            json={
                "email": f"f{i}@bench.example.com",
                "password": "a long bench password",
                "name": f"{NAMES[i % len(NAMES)]} {i}",
                "role": "freelancer",
            },
        )
        body = signup.json()
        headers = {"authorization": f"Bearer {body['access_token']}"}
        user_id = body["user"]["id"]
        put = await client.put(
            f"/api/v1/freelancers/{user_id}/profile", json=profile_body(rng), headers=headers
        )
        assert put.status_code == 200, put.text
        users.append((user_id, headers))
    return (app, lifespan), client, users


async def renderer_alone(state: Any, users: Users, renders: int) -> list[tuple[float, float]]:
    from mercenary.profiles.render import render_profile

    contents = [(await pdf.document(state.db, user_id))[0] for user_id, _ in users]
    for content in contents[:10]:  # warm-up: fonts, template, WeasyPrint's caches
        render_profile(content)
    times = []
    for i in range(renders):
        with Timer() as timer:
            render_profile(contents[i % len(contents)])
        times.append((timer.wall, timer.cpu))
    return times


async def job_in_process(state: Any, users: Users) -> list[tuple[float, float | None]]:
    from mercenary.profiles.jobs import render_pdf

    await render_pdf(state, users[0][0])  # warm-up: the render process starts and loads WeasyPrint
    await state.db.execute(sa.delete(profile_pdfs))
    times: list[tuple[float, float | None]] = []
    for user_id, _ in users:
        with Timer() as timer:  # wall only: the layout runs in the render process
            await render_pdf(state, user_id)
        times.append((timer.wall, None))
    await state.db.execute(sa.delete(profile_pdfs))  # the worker runs below start from nothing
    return times


def start_worker(settings: Settings, renderers: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "mercenary.cli", "worker"],
            env={**settings_env(settings), "RENDER_PROCESSES": str(renderers)},
            stdout=out,
            stderr=out,
        )


async def poll(predicate: Callable[[], Awaitable[bool]], log: Path, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if await predicate():
            return
        if time.monotonic() > deadline:
            tail = (await asyncio.to_thread(log.read_text, errors="replace"))[-3000:]
            raise TimeoutError(f"the worker did not finish in {timeout_s} s; its log ends:\n{tail}")
        await asyncio.sleep(0.1)


def render_processes(pid: int) -> list[int]:
    """The worker's render processes (spawned by its pool), not its parser's fork server."""
    found = []
    for child in descendants(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            pass
    return found


async def through_workers(
    settings: Settings, client: httpx.AsyncClient, state: Any, users: Users, workers: int, renderers: int
) -> tuple[float, float, float]:
    """Renders/s through ``workers`` worker processes with ``renderers`` render processes each; the
    peak RSS of the largest worker process and of the largest render process."""
    await state.db.execute(sa.delete(profile_pdfs))
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    procs = [await asyncio.to_thread(start_worker, settings, renderers, log) for _ in range(workers)]
    count = sa.select(sa.func.count()).select_from(profile_pdfs).where(profile_pdfs.c.version.is_not(None))

    async def started() -> bool:
        return (await asyncio.to_thread(log.read_text, errors="replace")).count("running") >= workers

    async def all_rendered() -> bool:
        return int(await state.db.fetch_val(count)) >= len(users)

    try:
        await poll(started, log, 60)
        await asyncio.sleep(2)  # the worker's imports are done before the clock starts
        for user_id, headers in users:
            response = await client.get(f"/api/v1/freelancers/{user_id}/profile.pdf", headers=headers)
            assert response.status_code == 202, response.text
        await state.queue.drain()
        await poll(all_rendered, log)
        span = await state.db.fetch_one(
            sa.select(
                sa.func.min(profile_pdfs.c.rendered_at).label("first"),
                sa.func.max(profile_pdfs.c.rendered_at).label("last"),
            )
        )
        assert span is not None
        first, last = span["first"], span["last"]
        worker_rss = max(rss_peak_mb(p.pid) for p in procs)
        render_rss = max(rss_peak_mb(r) for p in procs for r in render_processes(p.pid))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            await asyncio.to_thread(proc.wait, 30)
        await asyncio.to_thread(log.unlink)
    return (len(users) - 1) / (last - first).total_seconds(), worker_rss, render_rss


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument("--renders", type=int, default=300)
    parser.add_argument(
        "--setups",
        nargs="+",
        default=["1x1", "1x2", "2x1"],
        help="WORKERSxRENDER_PROCESSES: worker processes, and render processes each",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade, url)
        settings = Settings(
            DATABASE_URL=url,
            MAIL_URL=f"file:{tmp}/mail",
            ARGON2_MEMORY_KIB=8192,
            ARGON2_TIME_COST=1,
            RATE_LIMIT_ENABLED=False,
            SHED_ENABLED=False,
            ACCESS_LOG=False,
        )
        (app, lifespan), client, users = await setup(settings, args.profiles)
        state = app.state.mercenary
        print("| what | n | wall p50 ms | wall p95 ms | wall p99 ms | CPU p50 ms | CPU p95 ms | per CPU s |")
        print("|---|---|---|---|---|---|---|---|")
        print(summary("renderer alone, one thread", await renderer_alone(state, users, args.renders)))
        print(summary("render job in process (read, render, store)", await job_in_process(state, users)))
        print()
        print(
            "| worker processes x render processes each | renders/s | worker peak RSS MB "
            "| render process peak RSS MB |"
        )
        print("|---|---|---|---|")
        for setup_ in args.setups:
            workers, renderers = (int(n) for n in setup_.split("x"))
            rate, worker_rss, render_rss = await through_workers(
                settings, client, state, users, workers, renderers
            )
            print(f"| {workers} x {renderers} | {rate:.1f} | {worker_rss:.0f} | {render_rss:.0f} |")
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


if __name__ == "__main__":
    asyncio.run(main())
