"""``mercenary-perf topology up|down|status``: start, stop and inspect the scaled topology."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from mercenary_perf.rig.procs import http_ok
from mercenary_perf.topology import stack

DEFAULT_FOLDER = Path("var/topology")


def cmd_up(a: argparse.Namespace) -> int:
    """Start the topology and print its URLs."""
    topo = stack.up(
        a.folder,
        api=a.api,
        workers=a.workers,
        replica=a.replica,
        replica_delay_ms=a.replica_delay_ms,
        seed=a.seed,
    )
    for name, url in topo.urls.items():
        print(f"{name:18} {url}")
    print(f"stop it with: mercenary-perf topology down --folder {a.folder}")
    return 0


def cmd_down(a: argparse.Namespace) -> int:
    """Stop everything ``up`` started."""
    if not stack.down(a.folder):
        print(f"nothing is up in {a.folder}", file=sys.stderr)
        return 1
    print("topology stopped and removed")
    return 0


def status(folder: Path) -> dict[str, Any] | None:
    """Each process alive or not, and whether the balancer answers ``/ready``."""
    state = stack.read_state(folder)
    if state is None:
        return None
    alive = {}
    for name, pid in state.get("pids", {}).items():
        try:
            os.kill(int(pid), 0)
            alive[name] = "up"
        except ProcessLookupError:
            alive[name] = "gone"
    balancer = state.get("urls", {}).get("balancer")
    return {
        "processes": alive,
        "balancer_ready": bool(balancer) and http_ok(balancer + "/ready"),
        "urls": state.get("urls", {}),
    }


def cmd_status(a: argparse.Namespace) -> int:
    """Print the status as JSON; exit 1 when nothing is up."""
    found = status(a.folder)
    if found is None:
        print(f"nothing is up in {a.folder}", file=sys.stderr)
        return 1
    print(json.dumps(found, indent=2))
    return 0


def add_topology_parser(sub: Any) -> None:
    """Register ``topology`` and its subcommands."""
    sp = sub.add_parser("topology", help="the scaled topology: balancer, N instances, PgBouncer, replica")
    tsub = sp.add_subparsers(dest="action", required=True)
    upp = tsub.add_parser("up", help="start it and print the URLs")
    upp.add_argument("--api", type=int, default=2, help="API instances behind the balancer")
    upp.add_argument("--workers", type=int, default=1, help="job workers")
    upp.add_argument("--replica", action="store_true", help="a streaming replica for reads")
    upp.add_argument("--replica-delay-ms", type=int, default=0, help="recovery_min_apply_delay")
    upp.add_argument("--seed", choices=["demo", "full"], help="seed a dataset on the primary")
    upp.set_defaults(func=cmd_up)
    for name, func, text in (("down", cmd_down, "stop and remove it"), ("status", cmd_status, "what runs")):
        p = tsub.add_parser(name, help=text)
        p.set_defaults(func=func)
    for p in (upp, *[tsub.choices[n] for n in ("down", "status")]):
        p.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="where everything lives")
