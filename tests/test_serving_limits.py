"""The request head is bounded by the server (serving.py, ``HTTP_MAX_HEADER_BYTES`` and
``MAX_HEADERS``), checked against a real ``mercenary serve`` over a socket: the limit lives in the
protocol, before any ASGI app sees the request."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from mercenary.serving import MAX_HEADERS
from mercenary_perf.rig.procs import http_ok, stop, wait_until
from tests.test_serving import serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    proc = serve(tmp_path_factory.mktemp("limits"), "true", HTTP_MAX_HEADER_BYTES="8192")
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{proc.port}/health"), 30, "serve", proc)  # type: ignore[attr-defined]
        yield proc
    finally:
        stop(proc)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def exchange(port: int, head: bytes, chunks: Iterator[bytes] = iter(())) -> tuple[bytes, bool]:
    """Send ``head`` and then ``chunks`` until the server stops reading; (the answer, whether the
    server closed the connection afterwards)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(head)
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
            head_end = answer.index(b"\r\n\r\n") + 4
            length = next(
                int(line.split(b":")[1])
                for line in answer[:head_end].split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            while len(answer) < head_end + length:
                answer += sock.recv(65536)
            sock.settimeout(1)
            try:
                closed = sock.recv(1) == b""
            except TimeoutError:
                closed = False  # still open: keep-alive
        except ConnectionResetError:
            closed = True
        return answer, closed


def problem_of(answer: bytes) -> dict[str, object]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"application/problem+json" in head
    parsed: dict[str, object] = orjson.loads(body)
    return parsed


def test_a_head_within_the_limit_is_served(server: subprocess.Popen[bytes]) -> None:
    head = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 6000 + b"\r\n\r\n"
    answer, closed = exchange(server.port, head)  # type: ignore[attr-defined]
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert not closed  # keep-alive


def test_one_huge_header_streamed_in_chunks_is_refused_early_and_costs_no_memory(
    server: subprocess.Popen[bytes],
) -> None:
    before = rss_kb(server.pid)
    chunk = b"a" * 65536
    # 32 MB offered; the server answers once it has read a little over its limit and closes.
    answer, closed = exchange(
        server.port,  # type: ignore[attr-defined]
        b"GET /health HTTP/1.1\r\nHost: t\r\nX-Big: ",
        (chunk for _ in range(512)),
    )
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert problem_of(answer)["code"] == "headers_too_large"
    assert closed
    assert rss_kb(server.pid) - before < 4_096  # kB: the 32 MB were never held
    assert http_ok(f"http://127.0.0.1:{server.port}/health")  # type: ignore[attr-defined]


def test_a_head_over_the_limit_in_one_read_is_refused(server: subprocess.Popen[bytes]) -> None:
    head = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 9000 + b"\r\n\r\n"
    answer, closed = exchange(server.port, head)  # type: ignore[attr-defined]
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert closed


def test_too_many_headers_are_refused(server: subprocess.Popen[bytes]) -> None:
    lines = b"".join(b"X-H%d: v\r\n" % i for i in range(MAX_HEADERS + 1))
    answer, closed = exchange(server.port, b"GET /health HTTP/1.1\r\nHost: t\r\n" + lines + b"\r\n")  # type: ignore[attr-defined]
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert problem_of(answer)["code"] == "headers_too_large"
    assert closed
    few = b"".join(b"X-H%d: v\r\n" % i for i in range(MAX_HEADERS - 2))
    answer, _ = exchange(server.port, b"GET /health HTTP/1.1\r\nHost: t\r\n" + few + b"\r\n")  # type: ignore[attr-defined]
    assert answer.startswith(b"HTTP/1.1 200 ")
