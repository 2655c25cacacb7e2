"""Fixtures for the harness's own tests: small servers on free loopback ports and a seeded SQLite file."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mercenary_perf.rig.service import RATE_LIMITS

from .servers import ServerThread, marketplace_app, trivial_app


@pytest.fixture(autouse=True)
def _perf_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the cached ceiling of each test in its own folder."""
    monkeypatch.setenv("MERCENARY_PERF_STATE", str(tmp_path / "perf-state"))


@pytest.fixture
def trivial() -> Iterator[ServerThread]:
    with ServerThread(trivial_app()) as server:
        yield server


@pytest.fixture
def marketplace() -> Iterator[ServerThread]:
    with ServerThread(marketplace_app()) as server:
        yield server


@pytest.fixture
def seeded_db(tmp_path: Path) -> str:
    """A SQLite file shaped like the seeded tables (a small sample)."""
    path = tmp_path / "seed.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE users(id INTEGER PRIMARY KEY, tenant_id INT, email TEXT, name TEXT, role TEXT);
        CREATE TABLE projects(id INTEGER PRIMARY KEY, tenant_id INT, status TEXT, title TEXT);
        CREATE TABLE skills(id INTEGER PRIMARY KEY, slug TEXT);
        """
    )
    for i in range(1, 31):
        role = ("client", "freelancer", "admin")[i % 3]
        conn.execute("INSERT INTO users VALUES (?, 1, ?, 'U', ?)", (i, f"u{i}@example.test", role))
        conn.execute("INSERT INTO projects VALUES (?, 1, ?, 'P')", (i, "open" if i % 2 else "draft"))
    conn.execute("INSERT INTO skills VALUES (1, 'python')")
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def demo_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, int]]:
    """The real service on its embedded default (SQLite, in-process cache) with the demo dataset:
    (base URL, database URL, server pid). Shared by the tests that drive it; their writes do not
    disturb each other."""
    bin_dir = Path(sys.executable).parent
    db_url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    env = {**os.environ, "DATABASE_URL": db_url, "MERCENARY_ENV": "development", "LOG_LEVEL": "warning"}
    env.update(RATE_LIMITS)  # the load comes from one address, as in the rig
    subprocess.run(
        [bin_dir / "mercenary", "seed", "--scale", "demo"], env=env, check=True, capture_output=True
    )
    port = _free_port()
    proc = subprocess.Popen([bin_dir / "mercenary", "serve", "--port", str(port)], env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the service did not start")
        yield f"http://127.0.0.1:{port}", db_url, proc.pid
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.fixture(scope="session")
def demo_service(demo_process: tuple[str, str, int]) -> tuple[str, str]:
    """The demo service's (base URL, database URL)."""
    return demo_process[0], demo_process[1]
