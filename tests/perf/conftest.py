"""Fixtures for the harness's own tests: small servers on free loopback ports and a seeded SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

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
