"""The server's 1 GB memory cap: a cgroup v2, else a cgroup v1, else an RSS watchdog.

The report names the mechanism used (``cgroup-v2``, ``cgroup-v1`` or ``rss-watchdog``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path

from mercenary_perf.rss import tree_rss_kb

CGROUP = Path("/sys/fs/cgroup")


class MemoryCap:
    """Applies a memory limit to a process (and its children) by the best means available."""

    def __init__(self, limit_bytes: int, name: str, root: Path = CGROUP) -> None:
        self.limit = limit_bytes
        self.name = name
        self.root = root
        self.mechanism = "none"
        self.group: Path | None = None
        self.tripped = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _try_v2(self, pid: int) -> bool:
        ctl = self.root / "cgroup.controllers"
        if not ctl.exists() or "memory" not in ctl.read_text().split():
            return False
        group = self.root / self.name
        try:
            group.mkdir(exist_ok=True)
            (group / "memory.max").write_text(str(self.limit))
            (group / "memory.swap.max").write_text("0") if (group / "memory.swap.max").exists() else None
            (group / "cgroup.procs").write_text(str(pid))
        except OSError:
            return False
        self.group, self.mechanism = group, "cgroup-v2"
        return True

    def _try_v1(self, pid: int) -> bool:
        base = self.root / "memory"
        if not (base / "memory.limit_in_bytes").exists():
            return False
        group = base / self.name
        try:
            group.mkdir(exist_ok=True)
            (group / "memory.limit_in_bytes").write_text(str(self.limit))
            (group / "cgroup.procs").write_text(str(pid))
        except OSError:
            return False
        self.group, self.mechanism = group, "cgroup-v1"
        return True

    def _watch(self, pid: int, every_s: float) -> None:
        while not self._stop.wait(every_s):
            kb = tree_rss_kb(pid)
            if kb is None:
                return
            if kb * 1024 > self.limit:
                self.tripped = True
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                return

    def apply(self, pid: int, watchdog_every_s: float = 0.5) -> str:
        """Cap ``pid``; children forked later inherit a cgroup. Returns the mechanism used."""
        if self._try_v2(pid) or self._try_v1(pid):
            return self.mechanism
        self.mechanism = "rss-watchdog"
        self._thread = threading.Thread(target=self._watch, args=(pid, watchdog_every_s), daemon=True)
        self._thread.start()
        return self.mechanism

    def oom_kills(self) -> int | None:
        """How many times the cgroup's limit killed a process (None without a cgroup)."""
        if self.group is None:
            return None
        for name in ("memory.events", "memory.oom_control"):
            path = self.group / name
            if path.exists():
                for line in path.read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        return None

    def release(self) -> None:
        """Stop the watchdog and remove the (then empty) cgroup."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self.group is not None:
            with contextlib.suppress(OSError):
                self.group.rmdir()
