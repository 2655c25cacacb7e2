"""The generator's own ceiling: how many requests per second it can drive on this machine.

It runs rising constant rates against the trivial server (on another core when there is
one) and keeps the highest rate at which every request was answered, the scheduler stayed
on time and p99 stayed small. A run asked for more than ``RELIABLE_FRACTION`` of that is
marked unreliable in its report: past it, the generator measures itself, not the server.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from mercenary_perf.generator import get_flow, run_open_loop
from mercenary_perf.shapes import constant

RELIABLE_FRACTION = 0.7
RATES = (250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000, 10000)
MAX_LAG_P99_MS = 10.0  # the same line the report uses to call a run unreliable
MAX_P99_MS = 25.0


def state_dir() -> Path:
    """Where the harness keeps its cached facts (``MERCENARY_PERF_STATE``, default ``var/perf``)."""
    return Path(os.environ.get("MERCENARY_PERF_STATE", "var/perf"))


def _ceiling_path() -> Path:
    return state_dir() / "ceiling.json"


def cached_ceiling() -> dict[str, Any] | None:
    """The last measured ceiling for this host and Python, if any."""
    try:
        data: dict[str, Any] = json.loads(_ceiling_path().read_text())
    except (OSError, ValueError):
        return None
    if data.get("host") != platform.node() or data.get("python") != platform.python_version():
        return None
    return data


class TrivialServer:
    """The trivial server as a child process (pinned to ``cpu`` when possible); stops by itself."""

    def __init__(self, cpu: int | None = None, max_seconds: float = 300.0) -> None:
        cmd = [sys.executable, "-m", "mercenary_perf.trivial_server", "--max-seconds", str(max_seconds)]
        if cpu is not None and shutil.which("taskset"):
            cmd = ["taskset", "-c", str(cpu), *cmd]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            self.stop()
            raise RuntimeError("trivial server did not start")
        self.url = f"http://127.0.0.1:{line[1]}"

    def stop(self) -> None:
        """Terminate the server process."""
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


async def _step_passes(url: str, rate: float, step_s: float) -> tuple[bool, dict[str, Any]]:
    result = await run_open_loop(url, constant(rate, step_s), get_flow("/"), timeout_s=5)
    summary = result.recorder.overall.summary(step_s)
    lag = result.recorder.lag_summary()
    row = {
        "rate": rate,
        "count": summary["count"],
        "errors": summary["errors"],
        "p99_ms": summary["latency_ms"]["p99"],
        "lag_p99_ms": lag["p99"],
    }
    ok = (
        summary["errors"] == 0
        and summary["count"] >= int(rate * step_s) - 1
        and (lag["p99"] or 0.0) <= MAX_LAG_P99_MS
        and (summary["latency_ms"]["p99"] or 0.0) <= MAX_P99_MS
    )
    return ok, row


async def measure_ceiling(step_s: float = 3.0, max_rate: float = RATES[-1]) -> dict[str, Any]:
    """Measure and cache the ceiling; the generator should already be pinned to its core."""
    affinity = sorted(os.sched_getaffinity(0))
    server_cpu = 0 if (os.cpu_count() or 1) > 1 and 0 not in affinity else None
    server = TrivialServer(cpu=server_cpu)
    steps: list[dict[str, Any]] = []
    ceiling = 0.0
    try:
        for rate in [r for r in RATES if r <= max_rate]:
            ok, row = await _step_passes(server.url, rate, step_s)
            steps.append(row)
            if not ok:
                break
            ceiling = rate
    finally:
        server.stop()
    data = {
        "ceiling_rps": ceiling,
        "reliable_up_to_rps": round(ceiling * RELIABLE_FRACTION, 1),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": platform.node(),
        "python": platform.python_version(),
        "client": f"aiohttp {aiohttp.__version__} on the asyncio event loop",
        "generator_cpus": affinity,
        "server_cpu": server_cpu,
        "steps": steps,
    }
    path = _ceiling_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return data


def reliability(peak_rps: float, ceiling: dict[str, Any] | None) -> dict[str, Any]:
    """Judge whether a run at ``peak_rps`` is within the generator's reliable range."""
    if ceiling is None:
        return {"ceiling_rps": None, "reliable": None, "note": "ceiling not measured: run `selfcheck`"}
    limit = float(ceiling["ceiling_rps"]) * RELIABLE_FRACTION
    reliable = peak_rps <= limit
    note = (
        "within the generator's reliable range"
        if reliable
        else f"UNRELIABLE: {peak_rps:g} req/s asked, above {RELIABLE_FRACTION:.0%} of the ceiling ({limit:g})"
    )
    return {"ceiling_rps": ceiling["ceiling_rps"], "reliable": reliable, "note": note}
