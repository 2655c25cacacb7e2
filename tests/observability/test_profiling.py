"""Profiling on demand (OBS-5), each recipe of docs/profiling.md producing its artifact: cProfile over
N requests (``PROFILE_REQUESTS``), py-spy's flame graph of a running ``mercenary serve`` by pid,
memray's allocation capture of a served process and its flame graph, and the tracemalloc sentinel's
report of the site that grows."""

from __future__ import annotations

import asyncio
import io
import os
import pstats
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from mercenary.app import create_app
from mercenary.observability.memory import MemorySentinel
from mercenary.settings import Settings
from mercenary_perf.rig.procs import free_port, http_ok, stop, wait_until

BIN = Path(sys.executable).parent
LEAK: list[bytes] = []


async def test_profile_requests_writes_the_stats_of_the_next_n_requests(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "profiles"
    app = create_app(settings.model_copy(update={"PROFILE_REQUESTS": 5, "PROFILE_DIR": str(folder)}))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as c,
    ):
        for _ in range(4):
            assert (await c.get("/health")).status_code == 200
        assert not folder.exists()  # not before the fifth
        assert (await c.get("/health")).status_code == 200
        written = sorted(folder.iterdir())
        assert [p.name for p in written] == [f"requests-{os.getpid()}-5.pstats"]
        assert (await c.get("/health")).status_code == 200  # passed through afterwards
    out = io.StringIO()
    pstats.Stats(str(written[0]), stream=out).sort_stats("cumulative").print_stats("health")
    assert "health/routes.py" in out.getvalue()
    assert sorted(folder.iterdir()) == written


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``mercenary serve`` on a free port (``proc.port``), stopped afterwards."""
    db = tmp_path / "serve.db"
    shutil.copyfile(sqlite_template, db)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([BIN / "mercenary", "serve", "--port", str(port)], env=env)
    proc.port = port  # type: ignore[attr-defined]
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/health"), 30, "serve", proc)
        yield proc
    finally:
        stop(proc)


def load(port: int, seconds: float) -> None:
    """Requests to ``port`` for ``seconds`` (the profilers need something to see)."""
    import time

    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        while time.monotonic() < deadline:
            client.get("/health")


async def test_py_spy_records_a_flame_graph_of_the_running_service(
    served: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    svg = tmp_path / "flame.svg"
    command = [
        str(BIN / "py-spy"),
        "record",
        "--pid",
        str(served.pid),
        "--duration",
        "3",
        "--rate",
        "200",
        "--output",
        str(svg),
        "--nonblocking",
    ]
    spy = asyncio.create_task(asyncio.to_thread(subprocess.run, command, capture_output=True, text=True))
    await asyncio.to_thread(load, served.port, 3.5)  # type: ignore[attr-defined]
    result = await spy
    if result.returncode != 0 and "ermission" in result.stderr + result.stdout:
        pytest.skip(f"py-spy may not trace another process here (ptrace): {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    text = svg.read_text()
    assert text.startswith("<?xml") and "<svg" in text
    assert "mercenary" in text  # frames of the service's own code were sampled


@pytest.mark.slow
async def test_memray_captures_a_served_process_and_draws_its_flame_graph(
    tmp_path: Path, sqlite_template: Path
) -> None:
    db = tmp_path / "serve.db"
    shutil.copyfile(sqlite_template, db)
    capture = tmp_path / "serve.bin"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "LOG_LEVEL": "WARNING"}
    command = [
        sys.executable,
        "-m",
        "memray",
        "run",
        "--quiet",
        "--output",
        str(capture),
        "-m",
        "mercenary.cli",
        "serve",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(command, env=env)
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/health"), 60, "serve under memray", proc)
        await asyncio.to_thread(load, port, 1.0)
    finally:
        stop(proc, 30)
    assert capture.stat().st_size > 0
    html = tmp_path / "serve.html"
    drawn = subprocess.run(
        [sys.executable, "-m", "memray", "flamegraph", "--output", str(html), str(capture)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert drawn.returncode == 0, drawn.stderr
    assert "<html" in html.read_text()[:2000].lower()


def leak_some() -> None:
    LEAK.extend(bytes(2048) + os.urandom(8) for _ in range(500))  # the site the sentinel must name


async def test_the_memory_sentinel_names_the_site_that_grows(log_stream: io.StringIO) -> None:
    sentinel = MemorySentinel(0.2, top=5)
    sentinel.start()
    try:
        for _ in range(4):
            leak_some()
            await asyncio.sleep(0.1)

        def grown() -> bool:  # a report taken after the rounds (the comparison runs in a thread)
            lines = [orjson.loads(line) for line in log_stream.getvalue().splitlines()]
            growth = [r["growth"] for r in lines if r["logger"] == "mercenary.memory" and r["growth"]]
            return bool(growth) and growth[-1][0]["grew_kib"] >= 2 * 500 * 2 / 1.1

        for _ in range(50):
            if grown():
                break
            await asyncio.sleep(0.1)
    finally:
        await sentinel.stop()
        LEAK.clear()
    reports = [orjson.loads(line) for line in log_stream.getvalue().splitlines()]
    reports = [r for r in reports if r["logger"] == "mercenary.memory"]
    assert reports, log_stream.getvalue()[-500:]
    last = reports[-1]
    assert "MiB traced" in last["msg"]
    top = last["growth"][0]
    assert "test_profiling.py" in top["site"], last["growth"]
    assert top["grew_kib"] >= 2 * 500 * 2 / 1.1  # at least two rounds of 500 x 2 KiB
    assert top["count"] >= 1000
