"""Real ``mercenary worker`` processes for the queue tests, configured like the test's settings."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mercenary.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def settings_env(settings: Settings) -> dict[str, str]:
    """``settings`` as the environment a process reads them from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUEUE_", "REDIS_", "CACHE_"))}
    for name, value in settings.model_dump().items():
        if isinstance(value, tuple | list):  # comma-separated in the environment
            env[name] = ",".join(str(v) for v in value)
        elif value is not None:
            env[name] = str(value)
    return env


class WorkerProcess:
    """One worker process; its log is kept in ``log_path``."""

    def __init__(self, proc: subprocess.Popen[bytes], log_path: Path) -> None:
        self.proc = proc
        self.log_path = log_path

    @classmethod
    async def start(
        cls,
        settings: Settings,
        log_path: Path,
        *,
        modules: tuple[str, ...] = ("tests.support.jobs",),
        threads: int = 2,
    ) -> WorkerProcess:
        """Start a worker and wait until it consumes its queues."""
        args = [sys.executable, "-m", "mercenary.cli", "worker", "--threads", str(threads)]
        for module in modules:
            args += ["--module", module]
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(args, cwd=ROOT, env=settings_env(settings), stdout=log, stderr=log)
        worker = cls(proc, log_path)
        await wait_for(lambda: "running" in worker.log() or proc.poll() is not None, 30, "worker start")
        assert proc.poll() is None, worker.log()
        return worker

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no chance to finish, release or acknowledge anything."""
        self.proc.kill()
        self.proc.wait(10)

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        await wait_for(lambda: self.proc.poll() is not None, timeout, "worker exit")
        return int(self.proc.returncode)


async def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> None:
    """Poll ``predicate`` (sync) until it is true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def wait_until(predicate: Callable[[], Awaitable[Any]], timeout: float, what: str) -> None:
    """Poll the async ``predicate`` until it is true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []
