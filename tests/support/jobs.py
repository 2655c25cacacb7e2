"""Jobs for the queue's contract tests, loaded by real workers with ``--module tests.support.jobs``.

Each writes what it did to files in the folder it is given, so a test in another process can
watch: ``<tag>.log`` gets a line per start, ``<tag>.done`` the result (replaced, never appended:
a job run twice leaves the result of one run, as an idempotent handler should).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from mercenary.backends.queue import JobSpec
from mercenary.state import AppState
from mercenary.worker.registry import job

RECORD_LOW = JobSpec("tests.record_low", priority="low", lease_s=30)
RECORD_HIGH = JobSpec("tests.record_high", priority="high", lease_s=30)
SLOW = JobSpec("tests.slow", priority="default", lease_s=3, max_retries=3, min_backoff_s=0.1)
POISON = JobSpec("tests.poison", priority="default", max_retries=3, min_backoff_s=1.0, max_backoff_s=30)


def started(folder: str, tag: str) -> None:
    with open(Path(folder) / f"{tag}.log", "a") as log:
        log.write(f"{time.time():.6f} {os.getpid()}\n")


def finished(folder: str, tag: str, value: str) -> None:
    temp = Path(folder) / f"{tag}.done.tmp{os.getpid()}"
    temp.write_text(value)
    temp.replace(Path(folder) / f"{tag}.done")


@job(RECORD_LOW)
async def record_low(state: AppState, folder: str, n: int, sleep_s: float = 0.0) -> None:
    started(folder, "order")
    with open(Path(folder) / "order.txt", "a") as out:
        out.write(f"low {n}\n")
    time.sleep(sleep_s)


@job(RECORD_HIGH)
async def record_high(state: AppState, folder: str) -> None:
    with open(Path(folder) / "order.txt", "a") as out:
        out.write("high\n")


@job(SLOW)
async def slow(state: AppState, folder: str, tag: str, seconds: float) -> None:
    """Runs ``seconds``, then writes its result: killed in between, it must run again."""
    started(folder, tag)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
    finished(folder, tag, "done")


@job(POISON)
async def poison(state: AppState, folder: str) -> None:
    started(folder, "poison")
    raise RuntimeError("poisoned")
