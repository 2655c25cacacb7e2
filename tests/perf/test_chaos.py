"""RES-5: ``mercenary-perf chaos --ci`` runs the four chaos cases on real processes (PostgreSQL
stopped, Redis killed, the SQLite file locked by another process, an API process SIGKILLed under
writes retried with Idempotency-Key), a few seconds each, and exits 0 only when every case passed.
A bound no run can meet makes the command fail, so the verdict is the exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mercenary_perf.chaos.cases import Result, fails_other_than, recovery
from mercenary_perf.chaos.command import table
from mercenary_perf.chaos.load import Sample, percentile

CHAOS = [str(Path(sys.executable).parent / "mercenary-perf"), "chaos", "--ci"]


def chaos(*args: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run the command; past ``timeout_s`` stop it with SIGTERM, so that it stops its servers."""
    with subprocess.Popen([*CHAOS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.terminate()
            out, err = proc.communicate(timeout=60)
            pytest.fail(f"chaos run over {timeout_s:g} s:\n{out}\n{err[-3000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_case_passes_on_real_processes() -> None:
    done = chaos(timeout_s=840)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "PASS" in line]
    assert [row.split(" | ")[0].removeprefix("| ").split()[0] for row in rows] == [
        "PostgreSQL",
        "Redis",
        "SQLite",
        "API",
    ]
    for row in rows:
        lost = row.split(" | ")[3]
        assert lost == "0", row


@pytest.mark.slow
def test_a_case_that_misses_its_bound_fails_the_command() -> None:
    # Recovery can never take 0 s: the SQLite case fails, and so does the command.
    done = subprocess.run(
        [*CHAOS, "--case", "sqlite", "--recovery-s", "0"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert "| FAIL |" in done.stdout and "FAIL: recovery" in done.stdout
    assert done.stdout.rstrip().endswith("FAIL")


def sample(sent: float, elapsed: float, status: int, code: str | None = None, **kw: bool) -> Sample:
    return Sample("write", sent, elapsed, status, code, problem=status >= 400, retry_after=True, **kw)


def test_recovery_is_the_later_of_the_first_success_and_the_last_failure_after_the_return() -> None:
    samples = [
        sample(9.0, 0.5, 503, "database_unavailable"),  # answered before the return
        sample(10.2, 0.1, 201),  # first success after the return at 10.0: 0.3 s
        sample(10.4, 0.8, 503, "database_unavailable"),  # a failure answered later: 1.2 s
        sample(11.5, 0.1, 201),
    ]
    assert recovery(samples, 10.0) == 1.2
    assert recovery(samples[:2], 10.0) == 0.3
    assert recovery([sample(10.5, 0.1, 503, "database_busy")], 10.0) is None


def test_only_the_expected_503_problems_are_tolerated() -> None:
    good = sample(1, 0.1, 503, "database_busy")
    bare = Sample("read", 1, 0.1, 503, "database_busy", problem=True, retry_after=False)
    crash = sample(1, 0.1, 500, "internal_error")
    lost = Sample("read", 1, 0.1, 0)
    assert fails_other_than([good, sample(1, 0.1, 200)], {"database_busy"}) == []
    assert fails_other_than([good, bare, crash, lost], {"database_busy"}) == [bare, crash, lost]
    assert fails_other_than([bare], {"database_busy"}, retry_after=False) == []


def test_the_table_shows_each_verdict_and_why() -> None:
    ok = Result("Redis killed 3 s", sent=10, failed=0, lost=0, recovery_s=0.1, notes=["p99 5 ms"])
    bad = Result(
        "SQLite locked 3 s", sent=12, failed=2, lost=1, problems=["1 acknowledged writes not stored"]
    )
    text = table([ok, bad])
    assert "| Redis killed 3 s | 10 | 0 | 0 | 0.10 s | PASS |" in text
    assert "| SQLite locked 3 s | 12 | 2 | 1 | - | FAIL |" in text
    assert "- Redis killed 3 s: p99 5 ms" in text and "FAIL: 1 acknowledged writes not stored" in text
    assert ok.passed and not bad.passed
    assert percentile([0.3, 0.1, 0.2], 0.5) == 0.2 and percentile([], 0.99) == 0.0
