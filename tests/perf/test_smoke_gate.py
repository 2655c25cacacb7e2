"""PERF-3: the CI smoke gate. The real service runs on its embedded default (SQLite, in-process
cache) with the demo dataset, and a short open-loop smoke must meet p95 < 300 ms and errors < 1 %."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
SMOKE_SECONDS = os.environ.get("MERCENARY_SMOKE_SECONDS", "20")


@pytest.mark.slow
def test_smoke_meets_its_thresholds(demo_service: tuple[str, str], tmp_path: Path) -> None:
    base_url, db_url = demo_service
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
