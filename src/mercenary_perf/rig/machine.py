"""Facts about the commit and the machine, recorded in every rig report."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def _git(args: list[str], cwd: Path) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def commit_facts(repo: Path) -> dict[str, Any]:
    """The exact commit under test and whether the tree had local changes."""
    return {
        "commit": _git(["rev-parse", "HEAD"], repo),
        "branch": _git(["rev-parse", "--abbrev-ref", "HEAD"], repo),
        "dirty": bool(_git(["status", "--porcelain", "--untracked-files=no"], repo)),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return None


def machine_facts() -> dict[str, Any]:
    """CPU, cores, memory, kernel and Python of this machine."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "mem_total_mb": _mem_total_mb(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "host": platform.node(),
    }
