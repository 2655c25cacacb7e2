"""``mercenary serve`` (serving.py): the open-files limit, the listen backlog, the allocator, and the
uvicorn protocol with which an idle connection lets go of its last request (SLO-10)."""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from mercenary.cli import main
from mercenary.serving import (
    IdleLightProtocol,
    ServeLimitError,
    open_files_needed,
    prepare,
    raise_open_files,
    uvicorn_options,
)
from mercenary.settings import Settings
from mercenary_perf.rig.procs import free_port, http_ok, stop, wait_until

BIN = Path(sys.executable).parent


def serve(
    tmp_path: Path, shell: str, stderr: int = subprocess.DEVNULL, **env: str
) -> subprocess.Popen[bytes]:
    """``mercenary serve`` on a free port, after ``shell`` (e.g. a ``ulimit``) in the same shell."""
    port = free_port()
    db = tmp_path / "serve.db"
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "LOG_LEVEL": "warning", **env}
    command = f"{shell} && exec {BIN / 'mercenary'} serve --port {port}"
    proc = subprocess.Popen(["bash", "-c", command], env=environ, stderr=stderr)
    proc.port = port  # type: ignore[attr-defined]
    return proc


def open_files(pid: int) -> tuple[int, int]:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return int(soft), int(hard)
    raise AssertionError("no open-files line")


def test_serve_raises_its_open_files_soft_limit_to_the_hard_limit(tmp_path: Path) -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY or hard < 2 * 1024:
        pytest.skip(f"needs a finite hard open-files limit above 2048 (this one: {hard})")
    proc = serve(tmp_path, "ulimit -Sn 1024", HTTP_MAX_CONNECTIONS="1000")
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{proc.port}/health"), 30, "serve", proc)  # type: ignore[attr-defined]
        assert open_files(proc.pid) == (hard, hard)
    finally:
        stop(proc)


def test_serve_refuses_to_start_when_the_hard_limit_cannot_fit_its_connections(tmp_path: Path) -> None:
    proc = serve(tmp_path, "ulimit -n 2048", subprocess.PIPE, HTTP_MAX_CONNECTIONS="10000")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    message = err.decode()
    assert "HTTP_MAX_CONNECTIONS needs 10266 open files but this process may open 2048" in message
    assert "LimitNOFILE=10266" in message


def test_open_files_needed_and_the_refusal() -> None:
    settings = Settings(HTTP_MAX_CONNECTIONS=10_000, DB_POOL_SIZE=10)
    assert open_files_needed(settings) == 10_000 + 10 + 256
    original = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard = original[1]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))  # any process may lower its soft limit
        soft, _ = raise_open_files(64)
        assert soft == (64 if hard == resource.RLIM_INFINITY else hard)
        if hard != resource.RLIM_INFINITY:
            with pytest.raises(ServeLimitError, match="raise the hard limit"):
                raise_open_files(hard + 1)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, original)


def test_serve_in_process_refuses_what_the_hard_limit_cannot_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY or hard >= 1_000_000:
        pytest.skip(f"needs a hard open-files limit below 1,000,000 (this one: {hard})")
    monkeypatch.setenv("HTTP_MAX_CONNECTIONS", "1000000")
    assert main(["serve", "--port", str(free_port())]) == 2


def test_start_up_says_what_it_set_and_what_the_machine_caps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "1048576")  # the allocator of pytest is left alone
    somaxconn = tmp_path / "somaxconn"
    somaxconn.write_text("1024\n")
    settings = Settings(HTTP_BACKLOG=4096, HTTP_MAX_CONNECTIONS=100, DATABASE_URL="postgresql://u@h/db")
    first, *warnings = prepare(settings, workers=2, somaxconn_path=somaxconn)
    assert "keep-alive 75 s; backlog 4096" in first
    assert warnings == [
        "warning: net.core.somaxconn (1024) caps HTTP_BACKLOG (4096): sysctl -w net.core.somaxconn=4096",
        "warning: 2 workers open 2 database pools but DB_POOL_PROCESSES is 1: set it to instances x "
        "workers so the pool check counts them",
    ]
    somaxconn.write_text("4096\n")
    assert prepare(settings, workers=1, somaxconn_path=somaxconn)[1:] == []
    assert prepare(settings, somaxconn_path=tmp_path / "missing")[1:] == []


ARGON2_THREADS = """
import sys, threading
from pathlib import Path
from argon2 import PasswordHasher
if sys.argv[1] == "cap":
    from mercenary.serving import cap_mmap_threshold
    print(cap_mmap_threshold())
def rss_mb():
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmRSS:"))
    return int(line.split()[1]) // 1024
hasher = PasswordHasher(memory_cost=19456, time_cost=1, parallelism=1)
hasher.hash("warm")
before = rss_mb()
for _ in range(3):  # logins hash in threads (security/passwords.py), two at a time
    threads = [threading.Thread(target=hasher.hash, args=("pw",)) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
print(rss_mb() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc")
def test_the_mmap_threshold_gives_argon2_buffers_back() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}

    def kept_mb(mode: str) -> tuple[list[str], int]:
        out = subprocess.run(
            [sys.executable, "-c", ARGON2_THREADS, mode], env=env, capture_output=True, text=True, check=True
        ).stdout.split("\n")
        return out[:-2], int(out[-2])

    said, capped = kept_mb("cap")
    _, uncapped = kept_mb("none")
    assert said == ["mmap threshold 1024 kB"]
    assert capped < 10, capped
    assert uncapped > 30, uncapped  # glibc kept each thread's 19 MiB buffer: what the cap is for
    env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    said, _ = kept_mb("cap")
    assert said == ["MALLOC_MMAP_THRESHOLD_=65536 (from the environment)"]


# The protocol, on an in-process uvicorn with a small ASGI app.


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """``/early`` answers before reading the body; anything else reads it and answers its length."""
    assert scope["type"] == "http"
    size = 0
    if scope["path"] != "/early":
        more = True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
    body = f"{scope['path']} {size}".encode()
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]}
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def light_server() -> AsyncIterator[uvicorn.Server]:
    port = free_port()
    options = uvicorn_options(Settings())
    assert options["http"] is IdleLightProtocol
    config = uvicorn.Config(
        echo_app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", **options
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    server.port = port  # type: ignore[attr-defined]
    yield server
    server.should_exit = True
    await task


async def read_answer(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    assert head.startswith(b"HTTP/1.1 200 ")
    return await reader.readexactly(length)


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode()


async def test_an_idle_connection_keeps_nothing_of_its_last_request(light_server: uvicorn.Server) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", light_server.port)  # type: ignore[attr-defined]
    writer.write(get("/one"))
    assert await read_answer(reader) == b"/one 0"
    (protocol,) = light_server.server_state.connections
    assert isinstance(protocol, IdleLightProtocol)
    assert protocol.cycle is None
    assert protocol.scope is None
    assert protocol.headers == []
    # Keep-alive: the same connection serves the next request.
    writer.write(get("/two"))
    assert await read_answer(reader) == b"/two 0"
    writer.close()


async def test_pipelined_requests_are_answered_in_order(light_server: uvicorn.Server) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", light_server.port)  # type: ignore[attr-defined]
    body = b"x" * 10
    post = b"POST /post HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n" + body
    writer.write(get("/a") + post + get("/c"))
    assert [await read_answer(reader) for _ in range(3)] == [b"/a 0", b"/post 10", b"/c 0"]
    writer.close()


async def test_the_rest_of_a_body_after_an_early_answer_is_dropped(light_server: uvicorn.Server) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", light_server.port)  # type: ignore[attr-defined]
    writer.write(b"POST /early HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + b"y" * 10)
    assert await read_answer(reader) == b"/early 0"
    (protocol,) = light_server.server_state.connections
    assert isinstance(protocol, IdleLightProtocol)
    assert protocol.cycle is None
    started = time.monotonic()
    writer.write(b"y" * 99_990)  # reaches the protocol with no request left to give it to
    writer.write(get("/after"))
    assert await read_answer(reader) == b"/after 0"
    assert time.monotonic() - started < 5
    writer.close()
