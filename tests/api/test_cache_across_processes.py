"""Two API processes sharing one database and one Redis (CACHE-6): a process that has a project in its
local copy (L1) stops serving it within a stated bound once another process's change is acknowledged.

The bound: the invalidation travels as a Redis broadcast to every process and is applied on its next
event-loop turn, so it is milliseconds on loopback; the test allows ``BOUND_S``. Real processes,
real sockets, loopback only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mercenary_perf.rig.procs import free_port, stop, wait_until
from tests.support.servers import RedisServer

BOUND_S = 0.5


def _serve(db_url: str, redis_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "CACHE_URL": redis_url,
        "MERCENARY_ENV": "test",
        "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
        "ARGON2_MEMORY_KIB": "8192",
        "ARGON2_TIME_COST": "1",
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "mercenary.app:app_from_env"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/ready", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, 30, f"API process on port {port}", proc)
    return proc, base


@pytest.fixture
def two_processes(
    sqlite_template: Path, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    db = tmp_path / "shared.db"
    shutil.copyfile(sqlite_template, db)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        a, base_a = _serve(f"sqlite:///{db}", redis_server.url, tmp_path / "a.log")
        procs.append(a)
        b, base_b = _serve(f"sqlite:///{db}", redis_server.url, tmp_path / "b.log")
        procs.append(b)
        yield base_a, base_b
    finally:
        for proc in procs:
            stop(proc)


def test_a_change_through_one_process_is_seen_through_the_other(two_processes: tuple[str, str]) -> None:
    base_a, base_b = two_processes
    with httpx.Client(base_url=base_a, timeout=5) as a, httpx.Client(base_url=base_b, timeout=5) as b:
        signup = {"password": "a long password", "name": "Ann", "role": "client", "organization": "Acme"}
        token = a.post("/api/v1/auth/signup", json={**signup, "email": "ann@example.com"}).json()
        auth = {"authorization": f"Bearer {token['access_token']}"}
        body = {"title": "Shared project", "description": "seen by two processes", "budget": 100}
        project = a.post("/api/v1/projects", json={**body, "status": "open"}, headers=auth).json()
        url = f"/api/v1/projects/{project['id']}"

        for budget in range(101, 131):  # 30 changes, each read back through the other process
            assert b.get(url, headers=auth).json()["budget"] == budget - 1  # B holds it in L1
            assert a.patch(url, json={"budget": budget}, headers=auth).status_code == 200
            acknowledged = time.monotonic()
            while (seen := b.get(url, headers=auth).json()["budget"]) != budget:
                assert seen == budget - 1
                assert time.monotonic() - acknowledged < BOUND_S, "B served the old project too long"
                time.sleep(0.005)
        # and the lists: a project posted through A is on B's first market page at once, or within the bound
        newer = a.post("/api/v1/projects", json={**body, "status": "open"}, headers=auth).json()
        acknowledged = time.monotonic()
        while b.get("/api/v1/projects", headers=auth).json()["items"][0]["id"] != newer["id"]:
            assert time.monotonic() - acknowledged < BOUND_S
            time.sleep(0.005)
