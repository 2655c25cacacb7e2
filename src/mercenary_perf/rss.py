"""Resident memory of a process tree, read from /proc (no psutil)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

PROC = Path("/proc")


def rss_kb(pid: int) -> int | None:
    """VmRSS of one process in kB, or None when it is gone."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return 0  # a zombie or kernel thread has no VmRSS line


def children(pid: int) -> list[int]:
    """Direct children of ``pid``."""
    out = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the ppid follows the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and fields[1] == str(pid):
            out.append(int(entry.name))
    return out


def tree_rss_kb(pid: int, depth: int = 4) -> int | None:
    """RSS of ``pid`` plus its descendants (uvicorn workers), or None when ``pid`` is gone."""
    own = rss_kb(pid)
    if own is None:
        return None
    if depth > 0:
        own += sum(tree_rss_kb(c, depth - 1) or 0 for c in children(pid))
    return own


class RssSampler:
    """Appends ``{t, rss_mb}`` of a process tree every ``every_s`` until ``finish`` or the process ends.

    A thread rather than a task on the generator's event loop: a sample never delays a request
    that is due, and a loop busy sending does not stretch the sampling interval.
    """

    def __init__(self, pid: int, every_s: float) -> None:
        self.samples: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(pid, every_s), daemon=True)
        self._thread.start()

    def _run(self, pid: int, every_s: float) -> None:
        while True:
            kb = tree_rss_kb(pid)
            if kb is None:
                return
            self.samples.append(
                {"t": round(time.monotonic() - self._start, 1), "rss_mb": round(kb / 1024, 1)}
            )
            if self._stop.wait(every_s):
                return

    def finish(self) -> list[dict[str, Any]]:
        """Stop sampling; returns the samples taken."""
        self._stop.set()
        self._thread.join(5)
        return self.samples


def slope_per_hour(samples: list[dict[str, Any]], key: str = "rss_mb") -> float | None:
    """Least-squares slope of ``key`` over ``t``, per hour; None with fewer than 3 samples."""
    if len(samples) < 3:
        return None
    xs = [float(s["t"]) for s in samples]
    ys = [float(s[key]) for s in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var * 3600.0
