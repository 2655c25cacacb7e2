"""Graceful shutdown (RES-6) of a real ``mercenary serve``: on SIGTERM it stops accepting new
connections, lets the request in flight finish with its answer, runs the lifespan shutdown (the
pools close) and exits 0; a request that outlives ``SHUTDOWN_GRACE_S`` does not hold the exit.

The slow request is a sign-up whose write waits for SQLite's lock, held here as another process
would, and released once the shutdown has begun."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mercenary.serving import exit_zero_on_sigterm, prepare, uvicorn_options
from mercenary.settings import Settings
from mercenary_perf.rig.procs import free_port, http_ok, stop, wait_until
from tests.api.helpers import PASSWORD

BIN = Path(sys.executable).parent


class Served:
    """``mercenary serve`` on a free port with its log in a file, and the database it serves."""

    def __init__(self, tmp_path: Path, template: Path, **env: str) -> None:
        self.db = tmp_path / "serve.db"
        shutil.copyfile(template, self.db)
        self.port = free_port()
        self.log = tmp_path / "serve.log"
        environ = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db}",
            "LOG_LEVEL": "info",
            "ARGON2_MEMORY_KIB": "8192",
            "ARGON2_TIME_COST": "1",
            **env,
        }
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "mercenary"), "serve", "--port", str(self.port)], env=environ, stderr=log
            )
        wait_until(lambda: http_ok(f"http://127.0.0.1:{self.port}/health"), 30, "serve", self.proc)

    def logged(self) -> str:
        return self.log.read_text()

    def refuses_connections(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        return False


@pytest.fixture
def lock_holder() -> Iterator[list[sqlite3.Connection]]:
    held: list[sqlite3.Connection] = []
    yield held
    for conn in held:
        conn.close()


def hold_write_lock(db: Path, held: list[sqlite3.Connection]) -> sqlite3.Connection:
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    held.append(other)
    return other


def sign_up_in_background(port: int, email: str) -> tuple[threading.Thread, dict[str, object]]:
    """A sign-up sent on its own connection; its outcome lands in the returned dict."""
    outcome: dict[str, object] = {}  # the status, or the transport error

    def run() -> None:
        body = {"email": email, "password": PASSWORD, "name": "S", "role": "freelancer"}
        try:
            response = httpx.post(f"http://127.0.0.1:{port}/api/v1/auth/signup", json=body, timeout=30)
            outcome["status"] = response.status_code
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def users(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM users").fetchone()[0])


def test_sigterm_lets_the_request_in_flight_finish_and_exits_0(
    tmp_path: Path, sqlite_template: Path, lock_holder: list[sqlite3.Connection]
) -> None:
    served = Served(
        tmp_path,
        sqlite_template,
        SHUTDOWN_GRACE_S="10",
        REQUEST_TIMEOUT_S="10",
        SQLITE_BUSY_TIMEOUT_MS="9000",
    )
    try:
        other = hold_write_lock(served.db, lock_holder)
        thread, outcome = sign_up_in_background(served.port, "inflight@example.com")
        time.sleep(0.5)  # the sign-up has hashed its password and waits for the lock
        assert thread.is_alive()

        signalled = time.monotonic()
        served.proc.send_signal(signal.SIGTERM)
        wait_until(lambda: "Shutting down" in served.logged(), 5, "shutdown", None)
        wait_until(served.refuses_connections, 5, "the listening socket closed", None)
        assert served.proc.poll() is None  # still running: the request is in flight

        other.rollback()  # the dependency recovers
        thread.join(15)
        assert outcome == {"status": 201}
        assert served.proc.wait(15) == 0
        took = time.monotonic() - signalled
    finally:
        stop(served.proc)
    assert took < 10 + 2  # within SHUTDOWN_GRACE_S, and in fact as soon as the request was done
    log = served.logged()
    assert "Application shutdown complete" in log  # the lifespan closed the pools
    assert "Traceback" not in log
    assert users(served.db) == 1


def test_a_request_outliving_the_grace_does_not_hold_the_exit(
    tmp_path: Path, sqlite_template: Path, lock_holder: list[sqlite3.Connection]
) -> None:
    served = Served(
        tmp_path,
        sqlite_template,
        SHUTDOWN_GRACE_S="1",
        REQUEST_TIMEOUT_S="30",
        SQLITE_BUSY_TIMEOUT_MS="30000",
    )
    try:
        hold_write_lock(served.db, lock_holder)  # never released
        thread, outcome = sign_up_in_background(served.port, "stuck@example.com")
        time.sleep(0.5)
        signalled = time.monotonic()
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(10) == 0
        took = time.monotonic() - signalled
        thread.join(10)
    finally:
        stop(served.proc)
    assert 1 <= took < 1 + 3
    assert outcome == {"status": 503}  # cut off with an answer to retry, not completed
    log = served.logged()
    assert "timeout graceful shutdown exceeded" in log
    assert "request cancelled before it answered: POST /api/v1/auth/signup" in log
    assert "Application shutdown complete" in log
    assert "Traceback" not in log


def test_sigterm_on_an_idle_server_exits_0(tmp_path: Path, sqlite_template: Path) -> None:
    served = Served(tmp_path, sqlite_template)
    try:
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(10) == 0
    finally:
        stop(served.proc)


def test_the_grace_reaches_uvicorn_and_a_grace_shorter_than_the_deadline_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "1048576")  # the allocator of pytest is left alone
    assert uvicorn_options(Settings(SHUTDOWN_GRACE_S=7))["timeout_graceful_shutdown"] == 7
    missing = tmp_path / "missing"
    assert prepare(Settings(HTTP_MAX_CONNECTIONS=100), somaxconn_path=missing)[1:] == []
    short = Settings(HTTP_MAX_CONNECTIONS=100, SHUTDOWN_GRACE_S=2, REQUEST_TIMEOUT_S=5)
    assert prepare(short, somaxconn_path=missing)[1:] == [
        "warning: SHUTDOWN_GRACE_S (2) is shorter than REQUEST_TIMEOUT_S (5): a request still running "
        "when the grace ends is cut off (503 shutting_down)"
    ]


def test_the_sigterm_handler_exits_0() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    try:
        exit_zero_on_sigterm()
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler)
        with pytest.raises(SystemExit) as exited:
            handler(signal.SIGTERM, None)
        assert exited.value.code == 0
    finally:
        signal.signal(signal.SIGTERM, previous)
