"""Child processes of the rig: free ports, CPU pinning, waiting, and stopping by pid."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

SERVER_CPU = 0
LOAD_CPU = 1


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pinned(cmd: list[str], cpu: int) -> tuple[list[str], str]:
    """``cmd`` prefixed with ``taskset -c cpu`` when possible; also says what was done."""
    if (os.cpu_count() or 1) < 2:
        return cmd, "not pinned (one core)"
    if shutil.which("taskset") is None:
        return cmd, "not pinned (taskset missing)"
    return ["taskset", "-c", str(cpu), *cmd], f"taskset -c {cpu}"


def pin_self(cpu: int) -> str:
    """Pin this process (the load generator) to ``cpu`` when the machine has it."""
    if (os.cpu_count() or 1) < 2:
        return "not pinned (one core)"
    os.sched_setaffinity(0, {cpu})
    return f"cpu {cpu}"


def wait_until(
    check: Callable[[], bool], timeout_s: float, what: str, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll ``check`` until true; raise with ``what`` after ``timeout_s`` or if ``proc`` exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {proc.returncode}")
        time.sleep(0.2)
    raise RuntimeError(f"{what}: not ready after {timeout_s:g} s")


def http_ok(url: str) -> bool:
    """True when GET ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (loopback URL built by the rig)
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_open(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def stop(proc: subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    """Terminate ``proc`` (by its pid), then kill it if it does not exit."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def log_file(state: Path, name: str) -> Path:
    """A log path under the rig's state folder."""
    (state / "logs").mkdir(parents=True, exist_ok=True)
    return state / "logs" / f"{name}.log"
