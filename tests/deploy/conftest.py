"""The real service for the deploy checks: ``mercenary serve --workers 2`` on a free loopback port
(so its metrics go through the multiprocess files), on a migrated SQLite file, and a job worker
(``mercenary worker``, the jobs of ``tests/support/jobs.py``) started first with the same metrics
directory, as on one host."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mercenary_perf.rig.procs import free_port, http_ok, stop, wait_until
from tests.support.metrics import samples

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


@dataclass
class Served:
    """A running ``mercenary serve``."""

    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.get(self.url + path, headers=headers, timeout=10)
        return response.status_code, response.content

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(self.url + path, json=body, timeout=10)
        assert response.is_success, response.text
        return response.json()

    def ready(self) -> bool:
        """Both workers are up: each publishes its RSS (one series per pid) as it starts."""
        try:
            return len(self.metrics().get("process_resident_memory_bytes", [])) == 2
        except httpx.HTTPError:
            return False

    def metrics(self) -> dict[str, list]:  # type: ignore[type-arg]
        status, body = self.get("/metrics")
        assert status == 200, body
        return samples(body.decode())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'served.db'}",
        "MERCENARY_ENV": "development",
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),  # shared by the API and the job worker
    }
    for name in [k for k in env if k.startswith(("QUEUE_", "REDIS_", "CACHE_"))]:
        del env[name]  # the embedded queue beside the database
    subprocess.run([BIN / "mercenary", "migrate"], env=env, check=True, capture_output=True)
    (folder / "metrics").mkdir()
    worker_log = folder / "worker.log"
    with worker_log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "mercenary.cli", "worker", "--module", "tests.support.jobs"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    port = free_port()
    log = folder / "serve.log"
    try:
        wait_until(lambda: "running" in worker_log.read_text(), 30, "job worker", worker)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [BIN / "mercenary", "serve", "--port", str(port), "--workers", "2"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = Served(port, proc, log, env)
        try:
            wait_until(lambda: http_ok(f"{server.url}/health"), 60, "serve", proc)
            wait_until(server.ready, 30, "workers", proc)
            yield server
        finally:
            stop(proc)
    finally:
        stop(worker)
