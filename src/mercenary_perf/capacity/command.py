"""``mercenary-perf capacity``: measured reports and a target peak in, the plan out (no load sent).

Exit status: 0 when the peak is reachable (with or without PgBouncer), 1 when the database's
connection budget makes it unreachable, 2 when a report is unreadable or lacks a figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mercenary_perf.capacity.figures import CapacityInputError, load_reports, read_figures
from mercenary_perf.capacity.model import Params, plan
from mercenary_perf.capacity.render import markdown


def build_plan(a: argparse.Namespace) -> dict[str, Any]:
    """The plan for parsed arguments; raises ``CapacityInputError`` on bad input."""
    figures = read_figures(load_reports(a.reports), rss_mb=a.rss_mb)
    params = Params(
        peak_rps=a.peak,
        headroom=a.headroom,
        max_connections=a.max_connections,
        pool_size=a.pool_size,
        job_workers=a.job_workers,
        pgbouncer_pool=a.pgbouncer_pool,
        min_instances=a.min_instances,
        db_hold_ms=a.db_hold_ms,
    )
    return plan(figures, params)


def cmd_capacity(a: argparse.Namespace) -> int:
    """Print the plan as Markdown (or JSON with ``--json``); optionally write it to ``--out``."""
    try:
        result = build_plan(a)
    except CapacityInputError as exc:
        print(f"capacity: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2) + "\n" if a.json else markdown(result)
    if a.out:
        a.out.write_text(text)
    sys.stdout.write(text)
    return 1 if result["verdict"] == "UNREACHABLE" else 0


def _positive(kind: type[int] | type[float], minimum: float = 0.0, strict: bool = True) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text}") from None
        if value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(
                f"must be {'above' if strict else 'at least'} {minimum:g}, not {text}"
            )
        return value

    return parse


def add_capacity_parser(sub: Any) -> None:
    """Register ``capacity`` on the ``mercenary-perf`` subcommands."""
    sp = sub.add_parser("capacity", help="a capacity plan from measured reports and a target peak")
    sp.add_argument("reports", type=Path, nargs="+", help="harness JSON reports (a stress run, a mixed run)")
    sp.add_argument("--peak", type=_positive(float), required=True, help="target peak, req/s")
    sp.add_argument("--headroom", type=_positive(float, 1.0, strict=False), default=2.0, help="SLO-13: 2x")
    sp.add_argument("--max-connections", type=_positive(int), default=100, help="PostgreSQL max_connections")
    sp.add_argument("--pool-size", type=_positive(int), default=10, help="DB_POOL_SIZE")
    sp.add_argument(
        "--job-workers",
        type=_positive(int, strict=False),
        default=1,
        help="job worker processes, one pool each",
    )
    sp.add_argument("--pgbouncer-pool", type=_positive(int), default=20, help="PgBouncer server connections")
    sp.add_argument("--min-instances", type=_positive(int), default=1)
    sp.add_argument("--db-hold-ms", type=_positive(float), help="measured connection hold per request")
    sp.add_argument("--rss-mb", type=_positive(float), help="instance memory when no report has rss samples")
    sp.add_argument("--json", action="store_true", help="print the plan as JSON")
    sp.add_argument("--out", type=Path, help="also write it to this file")
    sp.set_defaults(func=cmd_capacity)
