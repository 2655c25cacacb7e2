"""PERF-3: the CI smoke gate. The real service runs on its embedded default (SQLite, in-process
cache) with the demo dataset, and a short open-loop smoke must meet p95 < 300 ms and errors < 1 %."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
SMOKE_SECONDS = os.environ.get("MERCENARY_SMOKE_SECONDS", "20")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('smoke') / 'smoke.db'}"
    env = {**os.environ, "DATABASE_URL": db_url, "MERCENARY_ENV": "development", "LOG_LEVEL": "warning"}
    subprocess.run([BIN / "mercenary", "seed", "--scale", "demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([BIN / "mercenary", "serve", "--port", str(port)], env=env)
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
        yield f"http://127.0.0.1:{port}", db_url
    finally:
        proc.terminate()
        proc.wait(20)


def test_smoke_meets_its_thresholds(service: tuple[str, str], tmp_path: Path) -> None:
    base_url, db_url = service
    out = tmp_path / "smoke.json"
    result = subprocess.run(
        [
            BIN / "mercenary-perf",
            "smoke",
            "--base-url",
            base_url,
            "--db-url",
            db_url,
            "--duration",
            SMOKE_SECONDS,
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    print(result.stdout[-3000:])
    report = json.loads(out.read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert report["passed"] is True
    assert {t["passed"] for t in report["thresholds"]} == {True}
