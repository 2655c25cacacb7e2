"""CV parsing throughput and latency with real worker processes (SLO-11).

Not a test: a measurement. For 1 and then 2 ``mercenary worker`` processes (``WORKER_THREADS``
each, 2 by default) on an SQLite database and the embedded queue, each document (1-, 5- and
20-page PDFs and DOCX files, ``mercenary.cvs.samples``) is uploaded ``--docs`` times at once, the
way the API stores one (the blob, a version row, the ``cvs.parse`` job after commit), and the
workers parse the burst:

- parses/s: the burst's size over the time from its commit to its last version parsed;
- parse p50/p95: each job's own time (read from the blob, sandboxed parse, skill matching,
  store), from the workers' log lines;
- the same documents through the parser's sandbox alone, one at a time (no queue, no database);
- RSS: each worker process idle (started, its parser's fork server warm) and its peak while busy,
  and the peak of the fork server with its parse children.

    .venv/bin/python benchmarks/cv_parse.py [--docs 40] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from mercenary.cvs import samples
from mercenary.cvs import service as cvs
from mercenary.cvs.parser import Limits, Parser
from mercenary.cvs.tables import cv_versions
from mercenary.db.metadata import utcnow
from mercenary.db.migrate import upgrade
from mercenary.security.principal import Principal
from mercenary.settings import Settings
from mercenary.skills.tables import skills
from mercenary.state import AppState
from mercenary.tenants.tables import organizations
from mercenary.users.tables import users

ROOT = Path(__file__).resolve().parents[1]
SKILLS = ("python", "postgresql", "fastapi", "redis", "typescript", "docker", "kubernetes", "rust")
DOCUMENTS = [(kind, pages) for kind in ("pdf", "docx") for pages in (1, 5, 20)]
PARSED = re.compile(r"cv version (\d+) parsed: \d+ pages, \d+ skills in ([\d.]+) s")
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def settings_for(folder: Path) -> Settings:
    return Settings(
        MERCENARY_ENV="test",
        DATABASE_URL=f"sqlite:///{folder}/bench.db",
        QUEUE_URL=f"sqlite:///{folder}/bench-queue.db",
        BLOB_URL=f"file:///{folder}/blobs",
        CACHE_URL="memory://",
        QUEUE_MAX_DEPTH=1_000_000,
        LOG_FORMAT="console",
        SECRET_KEY="benchmark-secret-key-0123456789abcdef0123",  # noqa: S106 (a throwaway database)
    )


def environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUEUE_", "REDIS_", "CACHE_"))}
    env.update(
        {
            k: str(v)
            for k, v in settings.model_dump().items()
            if v is not None and not isinstance(v, tuple | list)
        }
    )
    return env


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("mercenary")), "worker"],
            cwd=ROOT,
            env=environment(settings),
            stdout=out,
            stderr=out,
        )


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    except OSError:
        pass
    return found


class Sampler(threading.Thread):
    """Peak RSS of the workers and, apart, of their descendants (fork servers and parse children)."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.worker_peak = 0.0
        self.parser_peak = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            for pid in self.pids:
                self.worker_peak = max(self.worker_peak, rss_mb(pid))
                self.parser_peak = max(self.parser_peak, sum(rss_mb(c) for c in descendants(pid)))


async def seed(state: AppState) -> Principal:
    now = utcnow()
    async with state.db.transaction() as conn:
        for i, slug in enumerate(SKILLS, 1):
            await conn.execute(
                sa.insert(skills).values(id=i, slug=slug, name=slug, category="dev", created_at=now)
            )
        await conn.execute(
            sa.insert(organizations).values(
                id=1, name="Ada", kind="personal", invitation_code="bench", created_at=now
            )
        )
        await conn.execute(
            sa.insert(users).values(
                id=1,
                tenant_id=1,
                email="ada@example.com",
                name="Ada",
                role="freelancer",
                password_hash="-",  # noqa: S106 (no one logs in)
                created_at=now,
            )
        )
    return Principal(user_id=1, tenant_id=1, role="freelancer")


async def burst(state: AppState, who: Principal, kind: str, pages: int, n: int) -> list[int]:
    """``n`` uploads of one document, committed together; their version ids."""
    data = samples.pdf(pages) if kind == "pdf" else samples.docx(pages)
    stored = []
    for _ in range(n):

        async def chunks() -> object:
            yield data

        blob = await state.blobs.put(chunks(), max_bytes=len(data))  # type: ignore[arg-type]
        stored.append(
            {
                "key": blob.key,
                "size": blob.size,
                "sha256": blob.sha256,
                "filename": f"cv.{kind}",
                "media_type": MEDIA[kind],
            }
        )
    async with state.db.transaction() as conn:
        for item in stored:
            await cvs.add_version(conn, state.queue, who, item)
    rows = await state.db.fetch_all(sa.select(cv_versions.c.id).order_by(cv_versions.c.id.desc()).limit(n))
    return [int(r["id"]) for r in rows]


async def wait_parsed(state: AppState, ids: list[int]) -> None:
    query = sa.select(sa.func.count()).where(cv_versions.c.id.in_(ids), cv_versions.c.status == "pending")
    while await state.db.fetch_val(query):  # noqa: ASYNC110 (polling another process's writes)
        await asyncio.sleep(0.01)
    failed = await state.db.fetch_val(
        sa.select(sa.func.count()).where(cv_versions.c.id.in_(ids), cv_versions.c.status == "failed")
    )
    assert failed == 0, f"{failed} parses failed"


def durations(logs: list[Path], ids: set[int]) -> list[float]:
    out = []
    for log in logs:
        for match in PARSED.finditer(log.read_text(errors="replace")):
            if int(match.group(1)) in ids:
                out.append(float(match.group(2)))
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


async def run(workers: int, docs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = settings_for(folder)
        await asyncio.to_thread(upgrade, settings.DATABASE_URL)
        state = await AppState.open(settings)
        who = await seed(state)
        logs = [folder / f"worker{i}.log" for i in range(workers)]
        procs = [start_worker(settings, log) for log in logs]
        try:
            while not all("running" in log.read_text(errors="replace") for log in logs):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            # Warm up: every worker thread's first parse starts its process's fork server.
            await wait_parsed(state, await burst(state, who, "pdf", 1, 4 * workers))
            await asyncio.sleep(1)
            idle = [rss_mb(p.pid) for p in procs]
            parser_idle = [sum(rss_mb(c) for c in descendants(p.pid)) for p in procs]
            print(f"\n{workers} worker(s), {docs} documents a burst")
            print(
                f"  RSS idle: workers {', '.join(f'{r:.0f}' for r in idle)} MB; "
                f"parser fork servers {', '.join(f'{r:.0f}' for r in parser_idle)} MB"
            )
            print(f"  {'document':<14}{'parses/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
            sampler = Sampler([p.pid for p in procs])
            sampler.start()
            for kind, pages in DOCUMENTS:
                began = time.perf_counter()
                ids = await burst(state, who, kind, pages, docs)
                committed = time.perf_counter()
                await wait_parsed(state, ids)
                elapsed = time.perf_counter() - committed
                await asyncio.sleep(0.3)  # the last log lines
                times = durations(logs, set(ids))
                print(
                    f"  {kind + ' ' + str(pages) + ' p.':<14}{docs / elapsed:>10.1f}"
                    f"{statistics.median(times) * 1000:>10.0f}{p95(times) * 1000:>10.0f}"
                    f"   (upload of the burst {committed - began:.2f} s)"
                )
            sampler.stop.set()
            sampler.join()
            print(
                f"  RSS busy (peak): worker {sampler.worker_peak:.0f} MB; "
                f"fork server + parse children {sampler.parser_peak:.0f} MB"
            )
        finally:
            if os.environ.get("CV_BENCH_KEEP_LOGS"):
                for log in logs:
                    print(log.read_text(errors="replace")[-3000:])
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(30)
            await state.close()


def sandbox_only(rounds: int) -> None:
    """The parser alone, one document at a time in this process: fork, limits, extraction."""
    parser = Parser(Limits(timeout_s=10, memory_bytes=256 * 2**20, max_pages=50, max_chars=200_000))
    parser.parse(samples.pdf(1), MEDIA["pdf"])  # starts the fork server
    print(f"\nsandbox only, one at a time, {rounds} parses each")
    print(f"  {'document':<14}{'parses/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, pages in DOCUMENTS:
        data = samples.pdf(pages) if kind == "pdf" else samples.docx(pages)
        times = []
        for _ in range(rounds):
            began = time.perf_counter()
            parser.parse(data, MEDIA[kind])
            times.append(time.perf_counter() - began)
        print(
            f"  {kind + ' ' + str(pages) + ' p.':<14}{len(times) / sum(times):>10.1f}"
            f"{statistics.median(times) * 1000:>10.0f}{p95(times) * 1000:>10.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=40, help="documents per burst")
    parser.add_argument("--workers", default="1,2", help="worker process counts to run")
    args = parser.parse_args()
    # In a process of its own whose main is `-c`: a parse child runs its parent's main script again
    # (multiprocessing's rule), and this script's imports would be timed with every parse.
    code = f"import cv_parse; cv_parse.sandbox_only({args.docs})"
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent, check=True)
    for workers in (int(w) for w in args.workers.split(",")):
        asyncio.run(run(workers, args.docs))


if __name__ == "__main__":
    main()
