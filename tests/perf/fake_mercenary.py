"""A stand-in for the service's console command, so the rig can be tested before the service lands.

Usage mirrors it: ``fake_mercenary.py migrate|seed --scale S --seed N|serve --host H --port P``,
with ``DATABASE_URL=sqlite:///path``. It serves the tiny app of ``servers.marketplace_app``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aiohttp import web

from tests.perf.servers import marketplace_app


def _db() -> sqlite3.Connection:
    url = os.environ["DATABASE_URL"]
    assert url.startswith("sqlite:///"), url
    return sqlite3.connect(url[len("sqlite:///") :])


def migrate() -> None:
    with _db() as conn:
        conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS organizations(id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE IF NOT EXISTS users(
                id INTEGER PRIMARY KEY, tenant_id INT, email TEXT, name TEXT, role TEXT);
            CREATE TABLE IF NOT EXISTS projects(
                id INTEGER PRIMARY KEY, tenant_id INT, status TEXT, title TEXT);
            CREATE TABLE IF NOT EXISTS skills(id INTEGER PRIMARY KEY, slug TEXT);
            """
        )


def seed(n: int) -> None:
    with _db() as conn:
        conn.execute("INSERT INTO organizations VALUES (1, 'Acme')")
        for i in range(1, n + 1):
            role = "client" if i % 2 else "freelancer"
            conn.execute(
                "INSERT INTO users VALUES (?, 1, ?, ?, ?)", (i, f"user{i}@example.test", f"User {i}", role)
            )
            conn.execute("INSERT INTO projects VALUES (?, 1, 'open', ?)", (i, f"Project {i}"))
        conn.executemany("INSERT INTO skills VALUES (?, ?)", [(1, "python"), (2, "design")])


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate")
    s = sub.add_parser("seed")
    s.add_argument("--scale", default="demo")
    s.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("serve")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--workers", type=int, default=1)
    a = p.parse_args()
    if a.cmd == "migrate":
        migrate()
    elif a.cmd == "seed":
        seed(40 if a.scale == "demo" else 100)
    else:
        assert a.host == "127.0.0.1"
        web.run_app(marketplace_app(), host=a.host, port=a.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
