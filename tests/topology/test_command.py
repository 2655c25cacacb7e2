"""``mercenary-perf topology`` as a command: its arguments, ``status`` and ``down`` from the state
file that ``up`` leaves (another process stops what ``up`` started, by pid)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mercenary_perf.cli import build_parser, main
from mercenary_perf.topology import stack


def test_the_arguments() -> None:
    args = build_parser().parse_args(["topology", "up", "--api", "3", "--workers", "2", "--replica"])
    assert (args.api, args.workers, args.replica, args.folder) == (3, 2, True, Path("var/topology"))
    assert build_parser().parse_args(["topology", "down", "--folder", "x"]).folder == Path("x")


def test_nothing_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["topology", "status", "--folder", str(tmp_path)]) == 1
    assert main(["topology", "down", "--folder", str(tmp_path)]) == 1
    assert "nothing is up" in capsys.readouterr().err


def test_status_and_down_from_the_state_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "topology"
    folder.mkdir()
    # a process that ignores SIGTERM is killed after the grace; one that exits on it is not waited for
    ignore = (
        "import signal, time; signal.signal(15, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    )
    stubborn = subprocess.Popen([sys.executable, "-c", ignore], stdout=subprocess.PIPE)
    assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ready\n"
    polite = subprocess.Popen(["sleep", "60"])
    state = {"pids": {"api-1": polite.pid, "worker-1": stubborn.pid}, "clusters": [], "urls": {}}
    (folder / stack.STATE_FILE).write_text(json.dumps(state))
    assert main(["topology", "status", "--folder", str(folder)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["processes"] == {"api-1": "up", "worker-1": "up"} and not shown["balancer_ready"]
    monkeypatch.setattr(stack, "STOP_GRACE_S", 0.5)
    assert main(["topology", "down", "--folder", str(folder)]) == 0
    assert polite.wait(5) == -15 and stubborn.wait(5) == -9
    stubborn.stdout.close()
    assert not folder.exists()
