"""``mercenary-perf rig``: run scenarios on the reference rig against one or both backends."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from mercenary_perf import scenarios
from mercenary_perf.idle_run import add_idle_argument
from mercenary_perf.limits import LimitError, prepare_for_connections
from mercenary_perf.report import markdown
from mercenary_perf.report.files import write_all
from mercenary_perf.report.schema import UNRELIABLE, exit_code, verdict_of
from mercenary_perf.rig.layout import DEFAULT_LAYOUT, LAYOUTS
from mercenary_perf.rig.machine import commit_facts, machine_facts
from mercenary_perf.rig.memcap import MemoryCap
from mercenary_perf.rig.procs import log_file, pin_self, pinned, stop
from mercenary_perf.rig.service import Mercenary, postgres_dataset, sqlite_dataset
from mercenary_perf.rig.services import Postgres, Redis
from mercenary_perf.rss import RssSampler
from mercenary_perf.runner import run_scenario
from mercenary_perf.scenarios.base import LOAD_CONNECTIONS, Options

MEMORY_MAX = 1 << 30
RSS_EVERY_S = 2.0


def _cache_counters(base: str) -> dict[str, Any] | None:
    """The service's own cache counters (``/ready``), read before it stops: SLO-9 is judged on the
    server's hits and misses, not on anything the generator sees. None if it does not report them."""
    try:
        with urllib.request.urlopen(base + "/ready", timeout=5) as resp:  # noqa: S310 (loopback URL)
            body = json.loads(resp.read())
    except (OSError, ValueError):
        return None
    caches = body.get("caches") if isinstance(body, dict) else None
    if not isinstance(caches, dict):
        return None
    hits = sum(int(c.get("hits", 0)) for c in caches.values())
    misses = sum(int(c.get("misses", 0)) for c in caches.values())
    return {
        "read_at": time.monotonic(),
        "by_cache": caches,
        "hits": hits,
        "misses": misses,
        "hit_ratio": hits / (hits + misses) if hits + misses else None,
    }


def second_half(end: dict[str, Any], mid: dict[str, Any] | None) -> dict[str, Any] | None:
    """The hit ratio of the run's later part: the end's counters minus those read halfway through
    the scenario's duration (``seconds``: how long before the end they were read). A run starts on
    a cold cache, so the whole run's ratio mixes filling it with serving from it; its later part is
    nearer the steady state of a long-running service."""
    if mid is None:
        return None
    hits, misses = end["hits"] - mid["hits"], end["misses"] - mid["misses"]
    return {
        "hits": hits,
        "misses": misses,
        "hit_ratio": hits / (hits + misses) if hits + misses else None,
        "seconds": round(end["read_at"] - mid["read_at"], 1),
    }


def run_one(
    a: argparse.Namespace,
    backend: str,
    name: str,
    svc: Mercenary,
    db_url: str,
    reused: bool,
    sample_url: str | None = None,
) -> dict[str, Any]:
    """Start the capped, pinned server on a fresh dataset copy, run one scenario, stop the server.
    The generator samples the dataset through ``sample_url`` (default: ``db_url``)."""
    sc = scenarios.get(name)
    layout = LAYOUTS[a.layout]
    proc, base, pinning = svc.serve(db_url, a.workers, layout.server_cpu)
    # A soak runs long enough to fill the job queue to its depth limit (each bid queues a mail):
    # a worker drains it on the service's core, as on the one-core VM. Shorter runs start from
    # an empty queue and stay far below the limit.
    try:
        worker = svc.work(db_url, layout.server_cpu) if sc.kind == "soak" else None
    except RuntimeError:
        stop(proc)
        raise
    cap = MemoryCap(a.memory_max, f"mercenary-rig-{proc.pid}")
    mechanism = cap.apply(proc.pid)
    sampler = RssSampler(proc.pid, RSS_EVERY_S) if sc.kind != "soak" else None
    try:
        opts = Options(
            base,
            a.rate,
            a.duration,
            sample_url or db_url,
            server_pid=proc.pid,
            seed=a.seed,
            idle_connections=a.idle_connections,
            extra=dict(getattr(a, "scenario_extra", None) or {}),  # e.g. stress's target_peak (audit)
        )
        halfway: list[dict[str, Any] | None] = []
        timer = threading.Timer(
            (a.duration or sc.duration_s) / 2, lambda: halfway.append(_cache_counters(base))
        )
        timer.start()
        try:
            report = asyncio.run(run_scenario(sc, opts))
        finally:
            timer.cancel()
    finally:
        rss = sampler.finish() if sampler else []
        caches = _cache_counters(base)
        stop(proc)
        if worker is not None:
            stop(worker)
        oom = cap.oom_kills()
        cap.release()
    if rss:
        report["rss"] = rss
    if caches is not None:
        report["caches"] = caches
        later = second_half(caches, halfway[0] if halfway else None)
        if later is not None:
            caches["second_half"] = later
    in_process = backend == "sqlite"
    report["rig"] = {
        "layout": layout.name,
        "layout_detail": layout.summary,
        "backend": backend,
        "database": db_url.split("://", 1)[0],
        "server_pinning": pinning,
        "job_worker": "one, on the service's core" if worker is not None else "none (the queue starts empty)",
        "data_tier_pinning": f"inside the service ({pinning})" if in_process else a.data_pinning,
        "load_pinning": a.load_pinning,
        "memory_cap": f"{mechanism} ({a.memory_max // (1 << 20)} MB)",
        "memory_cap_covers": "the service process tree"
        + (" (SQLite included)" if in_process else "; PostgreSQL and Redis are not capped"),
        "memory_cap_tripped": cap.tripped or bool(oom),
        "workers": a.workers,
        "dataset": f"scale={a.scale} seed={a.seed}, {'reused template' if reused else 'seeded this run'}",
        "service_command": a.mercenary_cmd,
    }
    report["machine"] = {**commit_facts(a.repo), **machine_facts()}
    return report


def cmd_rig(a: argparse.Namespace) -> int:
    """Run every requested scenario on every requested backend; exit 0 only if all passed, 1 if any
    failed, else 3 if any was UNRELIABLE (the generator could not hold its schedule)."""
    if a.idle_connections:  # before seeding or starting anything: the run could not hold them
        try:
            prepare_for_connections(a.idle_connections + LOAD_CONNECTIONS)
        except LimitError as exc:
            print(exc, file=sys.stderr)
            return 2
    a.state.mkdir(parents=True, exist_ok=True)
    layout = LAYOUTS[a.layout]
    a.load_pinning = pin_self(layout.load_cpu)
    a.data_pinning = pinned([], layout.data_cpu)[1]
    backends = ["sqlite", "postgres"] if a.backend == "both" else [a.backend]
    verdicts: list[str] = []
    for backend in backends:
        with contextlib.ExitStack() as stack:
            env: dict[str, str] = {}
            pg: Postgres | None = None
            if backend == "postgres":
                pg = Postgres.start(a.state / "pg", cpu=layout.data_cpu, log=log_file(a.state, "postgres"))
                stack.callback(pg.stop)
                redis = Redis.start(a.state / "redis", cpu=layout.data_cpu, log=log_file(a.state, "redis"))
                stack.callback(redis.stop)
                env["REDIS_URL"] = redis.url
            svc = Mercenary(a.mercenary_cmd, a.state, env)
            for name in a.scenario:
                if pg is not None:
                    db_url, reused = postgres_dataset(svc, pg, a.scale, a.seed)
                else:
                    db_url, reused = sqlite_dataset(svc, a.state, a.scale, a.seed)
                report = run_one(a, backend, name, svc, db_url, reused)
                write_all(report, a.out, f"{backend}-{name}")
                verdicts.append(verdict_of(report))
                print(f"## {name} on {backend} ({layout.name} layout): {verdicts[-1]}\n")
                gen = report["generator"]
                print(f"generator: {gen.get('note')}; {markdown.lag_line(gen)}\n")
                print(markdown.slo_table(report) + "\n")
                if report.get("idle"):
                    print(markdown.idle_line(report) + "\n")
    print(f"reports in {a.out}")
    return 1 if "FAIL" in verdicts else exit_code(UNRELIABLE) if UNRELIABLE in verdicts else 0


def add_rig_parser(sub: Any) -> None:
    """Register the ``rig`` subcommand."""
    sp = sub.add_parser("rig", help="run scenarios on the reference rig (pinned, capped, seeded once)")
    sp.add_argument("--scenario", action="append", required=True, choices=list(scenarios.SCENARIOS))
    sp.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    sp.add_argument(
        "--layout",
        choices=list(LAYOUTS),
        default=DEFAULT_LAYOUT,
        help="vm: service and data tier on core 0, load alone on core 1 (the 1 OCPU VM); "
        "split: data tier on the load generator's core",
    )
    sp.add_argument("--scale", choices=("demo", "full"), default="full")
    sp.add_argument("--seed", type=int, default=1)
    sp.add_argument("--rate", type=float)
    sp.add_argument("--duration", type=float)
    sp.add_argument("--workers", type=int, default=1)
    add_idle_argument(sp)
    sp.add_argument("--memory-max", type=int, default=MEMORY_MAX, help="bytes (default 1 GiB)")
    sp.add_argument(
        "--mercenary-cmd", default="mercenary", help="how to invoke the service's console command"
    )
    sp.add_argument("--state", type=Path, default=Path("var/rig"))
    sp.add_argument("--out", type=Path, default=Path("var/rig/reports"))
    sp.add_argument("--repo", type=Path, default=Path("."), help="the checkout whose commit is recorded")
    sp.set_defaults(func=cmd_rig)
