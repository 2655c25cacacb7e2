"""``mercenary-perf``: open-loop load, SLO verdicts, the reference rig, reports, capacity plans.

Exit status is 0 only when every threshold passed with a reliable generator: 1 when a threshold
failed, 3 when the generator was UNRELIABLE (its lag or rate was past its limits, so the figures
describe the generator and no verdict is given), 2 for usage or setup errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mercenary_perf import scenarios
from mercenary_perf.audit.command import add_audit_parser
from mercenary_perf.capacity.command import add_capacity_parser
from mercenary_perf.chaos.command import add_chaos_parser
from mercenary_perf.closed import WRK_MISSING, run_wrk, wrk_available
from mercenary_perf.generator import get_flow
from mercenary_perf.idle_run import add_idle_argument
from mercenary_perf.limits import LimitError
from mercenary_perf.report import compare as compare_mod
from mercenary_perf.report import markdown
from mercenary_perf.report.files import write_all, write_outputs
from mercenary_perf.report.schema import exit_code, read_json, verdict_of
from mercenary_perf.rig.command import add_rig_parser
from mercenary_perf.runner import run_scenario
from mercenary_perf.scenarios.base import Context, Options, Scenario
from mercenary_perf.selfcheck import measure_ceiling
from mercenary_perf.shapes import constant
from mercenary_perf.slo import Threshold, error_rate, p95, p99
from mercenary_perf.topology.command import add_topology_parser

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def check_loopback(url: str) -> None:
    """Refuse any target that is not on this machine's loopback interface."""
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to send load to {host!r}: only loopback targets are allowed")


def _finish(report: dict[str, Any]) -> int:
    print(markdown.slo_table(report))
    if report.get("idle"):
        print(f"\n{markdown.idle_line(report)}")
    o = report["overall"]
    lat = o["latency_ms"]
    print(
        f"\n{o['count']} requests, {o['rate']} req/s achieved; p50 {lat['p50']} p95 {lat['p95']} "
        f"p99 {lat['p99']} max {lat['max']} ms; "
        f"errors {o['error_rate']:.3%} (4xx {o['client_error_rate']:.3%})"
    )
    print(f"generator: {report['generator'].get('note')}; {markdown.lag_line(report['generator'])}")
    for note in report.get("notes", []):
        print(f"note: {note}")
    verdict = verdict_of(report)
    print(verdict)
    return exit_code(verdict)


def _generic_scenario(path: str, rate: float, duration: float, thresholds: list[Threshold]) -> Scenario:
    async def setup(ctx: Context) -> Any:
        return get_flow(path, f"GET {path.split('?', 1)[0]}")

    return Scenario(
        name="load",
        traffic=f"GET {path} at a constant {rate:g} req/s for {duration:g} s (open loop)",
        requirements=("PERF-2",),
        setup=setup,
        shape=constant,
        rate=rate,
        duration_s=duration,
        thresholds=tuple(thresholds),
    )


def cmd_load(a: argparse.Namespace) -> int:
    """Generic mode: one URL at a constant rate, like wrk2 or vegeta."""
    check_loopback(a.url)
    parts = urlsplit(a.url)
    base = f"{parts.scheme}://{parts.netloc}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    thresholds = [error_rate(a.max_error_rate, "PERF-2")]
    thresholds += [p95(a.p95, "PERF-2")] if a.p95 else []
    thresholds += [p99(a.p99, "PERF-2")] if a.p99 else []
    headers = {k.strip(): v.strip() for k, v in (h.split(":", 1) for h in a.header)}
    opts = Options(base, a.rate, a.duration, timeout_s=a.timeout, connections=a.connections, headers=headers)
    sc = _generic_scenario(path, a.rate, a.duration, thresholds)
    if a.selfcheck:
        asyncio.run(measure_ceiling())
    report = asyncio.run(run_scenario(sc, opts))
    write_outputs(report, a.json, a.md, a.html)
    return _finish(report)


def cmd_run(a: argparse.Namespace) -> int:
    """Run one named scenario against an already running service."""
    check_loopback(a.base_url)
    sc = scenarios.get(a.scenario)
    extra = {"target_peak": a.target_peak} if a.target_peak else {}
    opts = Options(
        a.base_url,
        a.rate,
        a.duration,
        a.db_url,
        timeout_s=a.timeout,
        connections=a.connections,
        server_pid=a.server_pid,
        seed=a.seed,
        idle_connections=a.idle_connections,
        extra=extra,
    )
    try:
        report = asyncio.run(run_scenario(sc, opts))
    except LimitError as exc:
        print(exc, file=sys.stderr)
        return 2
    write_all(report, a.out, sc.name)
    print(f"reports: {a.out}/{sc.name}.{{json,md,html}}")
    return _finish(report)


def cmd_smoke(a: argparse.Namespace) -> int:
    """The CI gate: the smoke scenario with p95 < 300 ms and errors < 1 %."""
    check_loopback(a.base_url)
    opts = Options(a.base_url, a.rate, a.duration, a.db_url)
    report = asyncio.run(run_scenario(scenarios.get("smoke"), opts))
    write_outputs(report, a.json, a.md, a.html)
    return _finish(report)


def cmd_selfcheck(a: argparse.Namespace) -> int:
    """Measure the generator's ceiling on this machine and cache it."""
    data = asyncio.run(measure_ceiling(step_s=a.step_seconds))
    for row in data["steps"]:
        print(row)
    print(
        f"ceiling {data['ceiling_rps']} req/s; "
        f"runs above {data['reliable_up_to_rps']} req/s are marked unreliable"
    )
    return 0 if data["ceiling_rps"] > 0 else 1


def cmd_peak(a: argparse.Namespace) -> int:
    """Closed-loop peak throughput with wrk."""
    check_loopback(a.url)
    if not wrk_available():
        print(WRK_MISSING, file=sys.stderr)
        return 2
    result = run_wrk(a.url, connections=a.connections, duration_s=a.duration, headers=a.header, cpu=a.cpu)
    print(json.dumps(result.to_json(), indent=2))
    if a.json:
        a.json.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    return 0


def cmd_compare(a: argparse.Namespace) -> int:
    """Put two JSON reports side by side."""
    text = compare_mod.compare(read_json(a.a), read_json(a.b), a.label_a, a.label_b)
    if a.out:
        a.out.write_text(text)
    print(text)
    return 0


def cmd_list(a: argparse.Namespace) -> int:
    """List the scenarios with their traffic and thresholds."""
    for sc in scenarios.SCENARIOS.values():
        print(f"{sc.name}: {', '.join(t.label for t in sc.thresholds)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mercenary-perf``."""
    p = argparse.ArgumentParser(prog="mercenary-perf", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def outputs(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--json", type=Path)
        sp.add_argument("--md", type=Path)
        sp.add_argument("--html", type=Path)

    sp = sub.add_parser("load", help="drive one URL at a constant rate (open loop)")
    sp.add_argument("url")
    sp.add_argument("--rate", type=float, required=True)
    sp.add_argument("--duration", type=float, default=10.0)
    sp.add_argument("--header", "-H", action="append", default=[])
    sp.add_argument("--timeout", type=float, default=10.0)
    sp.add_argument("--connections", type=int, default=512)
    sp.add_argument("--p95", type=float)
    sp.add_argument("--p99", type=float)
    sp.add_argument("--max-error-rate", type=float, default=0.001)
    sp.add_argument("--selfcheck", action="store_true", help="measure the generator's ceiling first")
    outputs(sp)
    sp.set_defaults(func=cmd_load)

    sp = sub.add_parser("run", help="run a named scenario against a running service")
    sp.add_argument("scenario", choices=list(scenarios.SCENARIOS))
    sp.add_argument("--base-url", required=True)
    sp.add_argument("--db-url", default=os.environ.get("DATABASE_URL"))
    sp.add_argument("--rate", type=float)
    sp.add_argument("--duration", type=float)
    sp.add_argument("--timeout", type=float, default=10.0)
    sp.add_argument("--connections", type=int, default=512)
    sp.add_argument("--server-pid", type=int)
    sp.add_argument("--seed", type=int, default=1)
    sp.add_argument("--target-peak", type=float)
    add_idle_argument(sp)
    sp.add_argument("--out", type=Path, default=Path("var/perf/reports"))
    sp.set_defaults(func=cmd_run)

    sp = sub.add_parser("smoke", help="the CI smoke gate (p95 < 300 ms, errors < 1 %%)")
    sp.add_argument("--base-url", required=True)
    sp.add_argument("--db-url", default=os.environ.get("DATABASE_URL"))
    sp.add_argument("--duration", type=float, default=25.0)
    sp.add_argument("--rate", type=float, default=50.0)
    outputs(sp)
    sp.set_defaults(func=cmd_smoke)

    sp = sub.add_parser("selfcheck", help="measure the generator's own ceiling")
    sp.add_argument("--step-seconds", type=float, default=3.0)
    sp.set_defaults(func=cmd_selfcheck)

    sp = sub.add_parser("peak", help="closed-loop peak throughput with wrk")
    sp.add_argument("url")
    sp.add_argument("--connections", type=int, default=64)
    sp.add_argument("--duration", type=int, default=10)
    sp.add_argument("--header", "-H", action="append", default=[])
    sp.add_argument("--cpu", type=int)
    sp.add_argument("--json", type=Path)
    sp.set_defaults(func=cmd_peak)

    sp = sub.add_parser("compare", help="two JSON reports side by side with ratios")
    sp.add_argument("a", type=Path)
    sp.add_argument("b", type=Path)
    sp.add_argument("--label-a", default="A")
    sp.add_argument("--label-b", default="B")
    sp.add_argument("--out", type=Path)
    sp.set_defaults(func=cmd_compare)

    sub.add_parser("list", help="list the scenarios").set_defaults(func=cmd_list)
    add_rig_parser(sub)
    add_capacity_parser(sub)
    add_chaos_parser(sub)
    add_topology_parser(sub)
    add_audit_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``mercenary-perf``."""
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)[1:]
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
