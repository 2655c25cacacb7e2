"""``mercenary-perf chaos``: the four chaos cases, a table, and an exit status.

Exit status 0 only when every case passed; 1 when one failed; 2 when a case could not be set up.
``--ci`` runs each case for a few seconds (the test suite runs it); the full run is the default.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from mercenary_perf.chaos.cases import Options, Result, Run, run_all, service_env
from mercenary_perf.rig.service import Mercenary

CASES = ("postgres", "redis", "sqlite", "kill")
# The CI-sized run: the same cases and checks, each fault a few seconds. The SQLite busy wait is
# shortened so that a 3-second lock still outlasts it (the full run keeps the service's default).
CI = Options(
    pre_s=1.5,
    post_s=3.0,
    drain_s=15.0,
    pg_outage_s=3.0,
    redis_outage_s=3.0,
    lock_s=3.0,
    down_s=1.0,
    sqlite_busy_ms=300,
    write_rate=10.0,
    read_rate=20.0,
)
# Settings a caller's environment must not carry into the chaos services: each case sets its own.
FOREIGN = ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "QUEUE_URL", "RATE_LIMIT_URL")


def table(results: list[Result]) -> str:
    """The results as a Markdown table, with each case's notes and problems below it."""
    lines = [
        "| case | requests sent | failed | lost writes | recovery | verdict |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        recovery = "-" if r.recovery_s is None else f"{r.recovery_s:.2f} s"
        verdict = "PASS" if r.passed else "FAIL"
        lines.append(f"| {r.case} | {r.sent} | {r.failed} | {r.lost} | {recovery} | {verdict} |")
    lines.append("")
    for r in results:
        for note in r.notes:
            lines.append(f"- {r.case}: {note}")
        for problem in r.problems:
            lines.append(f"- {r.case}: FAIL: {problem}")
    return "\n".join(lines)


def cmd_chaos(a: argparse.Namespace) -> int:
    """Run the chosen cases and print the table; 0 only when every case passed."""
    base = CI if a.ci else Options()
    overrides = {k: v for k, v in vars(a).items() if k in Options.__dataclass_fields__ and v is not None}
    opts = Options(**{**base.__dict__, **overrides})
    state = Path(tempfile.mkdtemp(prefix="mercenary-chaos-"))
    for name in FOREIGN:
        os.environ.pop(name, None)
    env = service_env(opts, QUEUE_URL=f"sqlite:///{state / 'queue.db'}")
    # SIGTERM (a CI timeout) unwinds like Ctrl-C, so that every server started is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        run = Run(Mercenary(a.service_cmd, state, env), state, opts)
        results = asyncio.run(run_all(run, set(a.case or CASES)))
    except RuntimeError as exc:
        print(f"chaos: could not set up: {exc}", file=sys.stderr)
        return 2
    finally:
        if not a.keep:
            shutil.rmtree(state, ignore_errors=True)
    print(table(results))
    passed = all(r.passed for r in results)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def add_chaos_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``chaos`` subcommand."""
    sp = sub.add_parser("chaos", help="faults under load on real processes (RES-5)")
    sp.add_argument("--ci", action="store_true", help="a few seconds per case (the test suite's run)")
    sp.add_argument("--case", action="append", choices=CASES, help="run only this case (repeatable)")
    sp.add_argument("--service-cmd", default="mercenary")
    sp.add_argument("--keep", action="store_true", help="keep the state folder (logs) afterwards")
    for name, default in Options().__dict__.items():
        sp.add_argument(f"--{name.replace('_', '-')}", type=type(default) if default is not None else int)
    sp.set_defaults(func=cmd_chaos)
