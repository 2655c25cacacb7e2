"""The parts of the metrics that depend on the process model: the memory limit, who may scrape, the
multiprocess directory of ``mercenary serve``, a scrape summing several processes' files, and the
publisher that writes a worker's figures there."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import Counter

from mercenary.backends.cache import CacheSpec, CacheStore
from mercenary.db import Database
from mercenary.observability import exposition, registry
from mercenary.observability.networks import allowed, networks
from mercenary.observability.publish import Publisher, memory_limit
from mercenary.serving import metrics_dir
from tests.support.metrics import samples, total

PHYSICAL = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")

WORKER = """
from prometheus_client import Counter, Gauge
Counter("jobs_done", "x", ["kind"]).labels("mail").inc({n})
Gauge("pool_in_use", "x", multiprocess_mode="livesum").set({n})
"""


def test_memory_limit_is_the_cgroups_else_the_machines(tmp_path: Path) -> None:
    v2, v1 = tmp_path / "memory.max", tmp_path / "limit_in_bytes"
    assert memory_limit((v2, v1)) == PHYSICAL  # neither file
    v2.write_text("max\n")
    assert memory_limit((v2, v1)) == PHYSICAL  # no limit
    v1.write_text(f"{2**63 - 4096}\n")  # cgroup v1's "no limit"
    assert memory_limit((v2, v1)) == PHYSICAL
    v1.write_text("1073741824\n")
    assert memory_limit((v2, v1)) == 1 << 30
    v2.write_text("536870912\n")
    assert memory_limit((v2, v1)) == 1 << 29


def test_who_may_scrape() -> None:
    allow = networks("127.0.0.1/32, ::1, 10.1.0.0/16")
    assert allowed("127.0.0.1", allow) and allowed("::1", allow) and allowed("10.1.200.3", allow)
    assert allowed("::ffff:10.1.0.9", allow)  # an IPv4 peer on a dual-stack socket
    assert not allowed("10.2.0.1", allow)
    assert not allowed("127.0.0.2", allow)
    assert not allowed(None, allow) and not allowed("", allow)  # a Unix socket has no address
    assert not allowed("testclient", allow)


def test_serve_gives_several_workers_a_fresh_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # metrics_dir sets the variable itself, behind monkeypatch's back: a value set first and then
    # deleted makes monkeypatch restore the variable's absence, whatever metrics_dir leaves (a
    # folder removed below, where later tests' scrapes would look for every worker's values).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    assert metrics_dir(1) == (None, None)  # one process keeps its values in memory
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    created, said = metrics_dir(4)
    try:
        assert created is not None and created.is_dir() and not any(created.iterdir())
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(created)
        assert said == f"metrics of 4 workers in {created}"
    finally:
        if created is not None:
            shutil.rmtree(created)
    named = tmp_path / "metrics"
    named.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    (named / f"counter_{int(gone.stdout)}.db").write_bytes(b"old run")
    (named / f"histogram_{os.getpid()}.db").write_bytes(b"a job worker started first")
    (named / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(named))
    assert metrics_dir(1) == (None, f"metrics of every worker in {named}")
    # The last run's values are gone; a live process's (a job worker sharing the folder) stay.
    assert sorted(p.name for p in named.iterdir()) == [f"histogram_{os.getpid()}.db", "keep.txt"]


def test_a_scrape_sums_every_workers_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for n in (2, 5):  # two worker processes, each writing its own file
        subprocess.run([sys.executable, "-c", WORKER.format(n=n)], env=env, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    found = samples(exposition.render().decode())
    assert total(found, "jobs_done_total", kind="mail") == 7
    # Both workers have exited without saying so: a live gauge still sums what they left.
    assert total(found, "pool_in_use") == 7


def counted(series: Counter) -> float:
    return sum(
        s.value
        for family in series.collect()
        for s in family.samples
        if s.labels.get("cache") == "widget" and s.name.endswith("_total")
    )


async def test_a_worker_publishes_its_figures_until_it_stops(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    cache = await CacheStore.open("memory://", secret="s" * 32, prefix="publish:")
    spec = CacheSpec("widget", ttl=60)

    async def load() -> dict[str, int]:
        return {"id": 1}

    try:
        for _ in range(3):
            await cache.get(spec, "w:1", load)
        hits, misses = counted(registry.CACHE_HITS), counted(registry.CACHE_MISSES)  # earlier runs'
        publisher = Publisher(cache, db)
        publisher.start()
        publisher.start()  # once is enough
        await asyncio.sleep(0.05)
        process = publisher._process
        assert process is not None
        rss = next(iter(process.rss.collect())).samples[0].value
        cpu = next(iter(process.cpu.collect())).samples[0].value
        assert rss > 20e6 and cpu > 0
        await publisher.stop()
        await publisher.stop()  # stopping twice is harmless
        assert publisher._task is None
        # The cache's counters were added once, however often they are published.
        publisher.publish()
        publisher.publish()
        assert counted(registry.CACHE_HITS) - hits == 2
        assert counted(registry.CACHE_MISSES) - misses == 1
    finally:
        await cache.close()
