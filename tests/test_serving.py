"""``mercenary serve`` (serving.py): the open-files limit and the listen backlog (SLO-10)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from mercenary.cli import main
from mercenary.serving import (
    ServeLimitError,
    open_files_needed,
    prepare,
    raise_open_files,
)
from mercenary.settings import Settings
from mercenary_perf.rig.procs import free_port, http_ok, stop, wait_until

BIN = Path(sys.executable).parent


def serve(
    tmp_path: Path, shell: str, stderr: int = subprocess.DEVNULL, **env: str
) -> subprocess.Popen[bytes]:
    """``mercenary serve`` on a free port, after ``shell`` (e.g. a ``ulimit``) in the same shell."""
    port = free_port()
    db = tmp_path / "serve.db"
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "LOG_LEVEL": "warning", **env}
    command = f"{shell} && exec {BIN / 'mercenary'} serve --port {port}"
    proc = subprocess.Popen(["bash", "-c", command], env=environ, stderr=stderr)
    proc.port = port  # type: ignore[attr-defined]
    return proc


def open_files(pid: int) -> tuple[int, int]:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return int(soft), int(hard)
    raise AssertionError("no open-files line")


def test_serve_raises_its_open_files_soft_limit_to_the_hard_limit(tmp_path: Path) -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY or hard < 2 * 1024:
        pytest.skip(f"needs a finite hard open-files limit above 2048 (this one: {hard})")
    proc = serve(tmp_path, "ulimit -Sn 1024", HTTP_MAX_CONNECTIONS="1000")
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{proc.port}/health"), 30, "serve", proc)  # type: ignore[attr-defined]
        assert open_files(proc.pid) == (hard, hard)
    finally:
        stop(proc)


def test_serve_refuses_to_start_when_the_hard_limit_cannot_fit_its_connections(tmp_path: Path) -> None:
    proc = serve(tmp_path, "ulimit -n 2048", subprocess.PIPE, HTTP_MAX_CONNECTIONS="10000")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    message = err.decode()
    assert "HTTP_MAX_CONNECTIONS needs 10266 open files but this process may open 2048" in message
    assert "LimitNOFILE=10266" in message


def test_open_files_needed_and_the_refusal() -> None:
    settings = Settings(HTTP_MAX_CONNECTIONS=10_000, DB_POOL_SIZE=10)
    assert open_files_needed(settings) == 10_000 + 10 + 256
    original = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard = original[1]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))  # any process may lower its soft limit
        soft, _ = raise_open_files(64)
        assert soft == (64 if hard == resource.RLIM_INFINITY else hard)
        if hard != resource.RLIM_INFINITY:
            with pytest.raises(ServeLimitError, match="raise the hard limit"):
                raise_open_files(hard + 1)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, original)


def test_serve_in_process_refuses_what_the_hard_limit_cannot_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY or hard >= 1_000_000:
        pytest.skip(f"needs a hard open-files limit below 1,000,000 (this one: {hard})")
    monkeypatch.setenv("HTTP_MAX_CONNECTIONS", "1000000")
    assert main(["serve", "--port", str(free_port())]) == 2


def test_start_up_says_what_it_set_and_what_the_machine_caps(tmp_path: Path) -> None:
    somaxconn = tmp_path / "somaxconn"
    somaxconn.write_text("1024\n")
    settings = Settings(HTTP_BACKLOG=4096, HTTP_MAX_CONNECTIONS=100, DATABASE_URL="postgresql://u@h/db")
    first, *warnings = prepare(settings, workers=2, somaxconn_path=somaxconn)
    assert "keep-alive 75 s; backlog 4096" in first
    assert warnings == [
        "warning: net.core.somaxconn (1024) caps HTTP_BACKLOG (4096): sysctl -w net.core.somaxconn=4096",
        "warning: 2 workers open 2 database pools but DB_POOL_PROCESSES is 1: set it to instances x "
        "workers so the pool check counts them",
    ]
    somaxconn.write_text("4096\n")
    assert prepare(settings, workers=1, somaxconn_path=somaxconn)[1:] == []
    assert prepare(settings, somaxconn_path=tmp_path / "missing")[1:] == []
