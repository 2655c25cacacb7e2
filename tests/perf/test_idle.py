"""SLO-10 in CI size: idle keep-alive connections held beside a scenario's traffic (``--idle-connections``).

The real service holds 1,000 idle connections, longer than uvicorn's default 5 s keep-alive, while
the smoke traffic succeeds; a service with a 1 s keep-alive closes them all and the run says so; the
client notices every way a connection can go wrong; the machine's limits are checked before a
connection is opened.
"""

from __future__ import annotations

import asyncio
import os
import resource
import socket
import struct
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from mercenary_perf.cli import main
from mercenary_perf.idle import IdleClients
from mercenary_perf.limits import LimitError, host_limits, prepare_for_connections, raise_nofile
from mercenary_perf.report import markdown
from mercenary_perf.report.schema import read_json
from mercenary_perf.rig.procs import free_port, http_ok, stop, wait_until

BIN = Path(sys.executable).parent


def test_the_service_holds_1000_idle_connections_while_requests_succeed(
    demo_process: tuple[str, str, int], tmp_path: Path
) -> None:
    base_url, db_url, pid = demo_process
    args = ["run", "smoke", "--base-url", base_url, "--db-url", db_url, "--rate", "20", "--duration", "6",
            "--idle-connections", "1000", "--server-pid", str(pid), "--out", str(tmp_path)]  # fmt: skip
    main(args)
    report = read_json(tmp_path / "smoke.json")
    idle = report["idle"]
    assert (idle["requested"], idle["opened"], idle["held"], idle["errors"]) == (1000, 1000, 1000, 0)
    assert idle["lost_while_idle"] == {} and idle["open_failures"] == {} and idle["verify_failures"] == {}
    assert idle["idle_at_least_s"] > 5  # past uvicorn's default keep-alive: HTTP_KEEP_ALIVE_S is in force
    assert report["overall"]["count"] == 120
    assert report["overall"]["errors"] == 0
    rows = {t["metric"]: t for t in report["thresholds"] if t["requirement"] == "SLO-10"}
    assert rows["idle_held"]["passed"] and rows["idle_held"]["value"] == 1000
    assert rows["idle_rss_mb"]["value"] == idle["rss_mb"]["with_idle"] > idle["rss_mb"]["before"] > 0
    assert idle["rss_kb_per_connection"] < 20
    assert idle["limits"]["nofile_soft"] >= 1000
    for page in ("smoke.md", "smoke.html"):
        assert "Idle connections: 1000 of 1000 held, 0 errors" in (tmp_path / page).read_text()


@pytest.fixture
def short_keep_alive(tmp_path: Path) -> Iterator[str]:
    """The real service with HTTP_KEEP_ALIVE_S=1 (an empty SQLite file is enough for /health)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}", "HTTP_KEEP_ALIVE_S": "1",
           "LOG_LEVEL": "warning"}  # fmt: skip
    proc = subprocess.Popen([BIN / "mercenary", "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http_ok(base + "/health"), 30, "mercenary serve", proc)
        yield base
    finally:
        stop(proc)


async def test_connections_the_server_closes_are_errors(short_keep_alive: str) -> None:
    clients = IdleClients(short_keep_alive, 100, concurrency=20)
    await clients.open()
    await asyncio.sleep(1.8)
    await clients.verify()
    await clients.close()
    summary = clients.summary()
    assert (summary["opened"], summary["held"], summary["errors"]) == (100, 0, 100)
    assert summary["lost_while_idle"] == {"closed by the server": 100}
    assert 0.5 < summary["first_lost_at_s"] < 3
    report = {"idle": {**summary, "rss_mb": {}, "rss_kb_per_connection": None}}
    line = markdown.idle_line(report)
    assert "0 of 100 held, 100 errors" in line and "closed by the server (100)" in line


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
# How a misbehaving server answers each path: the bytes it sends, then what it does to the connection.
ANSWERS: dict[str, tuple[bytes, str]] = {
    "/ok": (OK, "keep"),
    "/missing": (b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "keep"),
    "/chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", "keep"),
    "/extra": (OK + b"junk", "keep"),
    "/head": (b"HTTP/1.1 200 OK\r\nX-Pad: " + b"p" * 20_000, "keep"),
    "/slow": (b"", "keep"),
    "/close": (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", "close"),
    "/http10": (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", "keep"),
    "/chatty": (OK, "chatter"),
    "/reset": (OK, "reset"),
}


@pytest.fixture
async def misbehaving() -> AsyncIterator[str]:
    """A raw HTTP server on loopback that answers each path of :data:`ANSWERS` its own wrong way."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                answer, then = ANSWERS[head.split(b" ")[1].decode()]
                writer.write(answer)
                await writer.drain()
                if then == "close":
                    writer.close()
                    return
                if then == "chatter":
                    await asyncio.sleep(0.05)
                    writer.write(b"x")
                if then == "reset":
                    await asyncio.sleep(0.05)
                    linger = struct.pack("ii", 1, 0)  # on, 0 s: close sends RST, not FIN
                    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    writer.transport.abort()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.close()


@pytest.mark.parametrize(
    ("path", "failures", "lost"),
    [
        ("/ok", {}, {}),
        ("/missing", {"status 404": 3}, {}),
        ("/chunked", {"answer without content-length": 3}, {}),
        ("/extra", {"bytes after the answer": 3}, {}),
        ("/head", {"answer head too long": 3}, {}),
        ("/slow", {"timeout": 3}, {}),
        ("/close", {}, {"connection: close": 3}),  # opened, then lost: the server said it closes
        ("/http10", {}, {"connection: close": 3}),  # HTTP/1.0 answers close unless told otherwise
        ("/chatty", {}, {"data while idle": 3}),
        ("/reset", {}, {"reset by the server": 3}),
    ],
)
async def test_every_way_a_connection_goes_wrong_is_named(
    misbehaving: str, path: str, failures: dict[str, int], lost: dict[str, int]
) -> None:
    clients = IdleClients(misbehaving, 3, path=path, timeout_s=0.5)
    await clients.open()
    await asyncio.sleep(0.2)
    await clients.verify()
    await clients.close()
    summary = clients.summary()
    assert summary["open_failures"] == failures
    assert summary["lost_while_idle"] == lost
    assert summary["opened"] == (0 if failures else 3)
    assert summary["held"] == (3 if path == "/ok" else 0)
    assert summary["errors"] == 3 - summary["held"]


async def test_a_refused_connection_is_an_error_too() -> None:
    clients = IdleClients(f"http://127.0.0.1:{free_port()}", 3)
    await clients.open()
    assert clients.summary()["open_failures"] == {"connect: ECONNREFUSED": 3}
    assert clients.summary()["errors"] == 3


def test_idle_clients_refuse_what_they_cannot_do() -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        IdleClients("http://127.0.0.1:1", 0)
    with pytest.raises(ValueError, match="http://"):
        IdleClients("https://127.0.0.1:1", 10)


def test_the_ephemeral_port_range_is_checked(tmp_path: Path) -> None:
    (tmp_path / "net/ipv4").mkdir(parents=True)
    (tmp_path / "net/ipv4/ip_local_port_range").write_text("40000\t40099\n")
    assert prepare_for_connections(100, proc_sys=tmp_path)["ephemeral_ports"] == 100
    with pytest.raises(LimitError, match="ip_local_port_range"):
        prepare_for_connections(101, proc_sys=tmp_path)
    assert host_limits(tmp_path)["somaxconn"] is None  # unreadable: reported as unknown


def test_the_open_files_limit_is_raised_or_refused() -> None:
    original = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard = original[1]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))  # any process may lower its soft limit
        soft, _ = raise_nofile(64)
        assert soft == (64 if hard == resource.RLIM_INFINITY else hard)
        if hard != resource.RLIM_INFINITY:
            with pytest.raises(LimitError, match="ulimit -Hn"):
                raise_nofile(hard + 1)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, original)


def test_run_refuses_before_opening_anything_when_the_hard_limit_is_too_low() -> None:
    # Nothing listens on the target: the refusal must come before any connection is tried.
    command = (f"ulimit -n 1024 && exec {BIN / 'mercenary-perf'} run smoke "
               f"--base-url http://127.0.0.1:{free_port()} --idle-connections 2000")  # fmt: skip
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "2768 open files are needed but the limit is 1024" in done.stderr


def test_the_option_is_bounded() -> None:
    with pytest.raises(SystemExit):
        main(["run", "smoke", "--base-url", "http://127.0.0.1:1", "--idle-connections", "70000"])
