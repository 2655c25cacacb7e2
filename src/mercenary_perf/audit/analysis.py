"""From the runs' reports to the audit's figures: the traffic profile, the soak's verdict with the
leak sentinel's reports, the capacity plan, and the artifacts that show each."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

from mercenary_perf.capacity.figures import CapacityInputError, read_figures
from mercenary_perf.capacity.model import Params, plan
from mercenary_perf.capacity.render import markdown as capacity_markdown

PAYLOAD_BUDGET_KB = 256.0  # an API answer a phone on 3G fetches in about a second
SENTINEL = re.compile(r"memory sentinel: ([\d.]+) MiB traced \(peak ([\d.]+)\)")
LEAK_SHARE = 0.2  # traced memory grown by a fifth from the second report to the last ...
LEAK_MIB = 5.0  # ... and by more than this much (a warm cache of a few hundred kB is not a leak)


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def traffic(reports: dict[str, dict[str, Any]], probed: list[dict[str, Any]], peak: float) -> dict[str, Any]:
    """The figures of 002 §1.1: the highest read and write rates served, concurrency, payload."""
    best: dict[str, tuple[float, str]] = {"read": (0.0, "none measured"), "write": (0.0, "none measured")}
    seconds: list[float] = []
    share = None
    for name, r in reports.items():
        for group in ("read", "write"):
            g = (r.get("groups") or {}).get(group) or {}
            if g.get("rate", 0) > best[group][0]:
                best[group] = (float(g["rate"]), f"{group}s: {name}")
        if name == "mixed" or share is None:
            read = ((r.get("groups") or {}).get("read") or {}).get("count")
            if read and r["overall"]["count"] and (r.get("groups") or {}).get("write"):
                share = read / r["overall"]["count"]
        if name != "soak":
            seconds += [row["count"] * (row["p50"] or 0.0) / 1000 for row in r.get("timeseries", [])]
    share = share if share is not None else 0.8  # 002 §4.2's mixed: 80/20
    largest = max(probed, key=lambda p: p["response_kb"], default=None)
    return {
        "read_rps": best["read"][0],
        "write_rps": best["write"][0],
        "read_source": best["read"][1],
        "write_source": best["write"][1],
        "read_share": share,
        "read_target": peak * share,
        "write_target": peak * (1 - share),
        "concurrency_p90": _percentile(seconds, 0.9),
        "seconds": len(seconds),
        "largest_kb": largest["response_kb"] if largest else None,
        "largest_endpoint": largest["endpoint"] if largest else "no probe answered",
        "payload_budget_kb": PAYLOAD_BUDGET_KB,
    }


def write_traffic_csv(reports: dict[str, dict[str, Any]], path: Path) -> None:
    """One row per endpoint of every scenario: rate, latency percentiles, outcomes."""
    with path.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["scenario", "endpoint", "class", "requests", "rps", "p50_ms", "p95_ms", "p99_ms",
                    "max_ms", "error_rate", "client_error_rate"])  # fmt: skip
        for name, r in reports.items():
            groups = r.get("groups") or {}
            for endpoint, e in (r.get("endpoints") or {}).items():
                method = endpoint.split(" ", 1)[0]
                kind = "read" if method in ("GET", "HEAD") else "write"
                if not groups:
                    kind = "mixed"
                lat = e["latency_ms"]
                w.writerow([name, endpoint, kind, e["count"], e["rate"], lat["p50"], lat["p95"], lat["p99"],
                            lat["max"], e["error_rate"], e["client_error_rate"]])  # fmt: skip


def sentinel(log: Path, since: int) -> dict[str, Any]:
    """The leak sentinel's reports written to the service's log after byte ``since``: traced MiB
    at each, the top growing site of the last, and whether traced memory kept growing."""
    traced: list[float] = []
    top: list[dict[str, Any]] = []
    if log.exists():
        with log.open("rb") as f:
            f.seek(since)
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                match = SENTINEL.search(str(record.get("msg", ""))) if isinstance(record, dict) else None
                if match:
                    traced.append(float(match.group(1)))
                    top = record.get("growth") or []
    if len(traced) < 3:
        verdict = f"{len(traced)} sentinel report(s): too few to judge growth"
        growing = None
    else:
        base, last = traced[1], traced[-1]  # the first report still includes start-up's allocations
        growing = last > base * (1 + LEAK_SHARE) and last - base > LEAK_MIB
        verdict = f"traced {base:.1f} -> {last:.1f} MiB over {len(traced)} reports" + (
            " (grew past 20 % and 5 MiB: a leak suspect)" if growing else " (no growth past 20 % and 5 MiB)"
        )
    top = [{**site, "site": short_site(str(site.get("site", "")))} for site in top[:5]]
    return {"reports": len(traced), "traced_mib": traced, "top_growth": top, "growing": growing,
            "verdict": verdict}  # fmt: skip


def short_site(site: str) -> str:
    """An allocation site without the machine's install paths: ``package/module.py:line``."""
    for marker in ("site-packages/", "/src/"):
        if marker in site:
            return site.split(marker, 1)[1]
    match = re.search(r"/lib/python3\.\d+/(.*)", site)
    return match.group(1) if match else site.rsplit("/", 1)[-1]


def soak_line(report: dict[str, Any] | None, watch: dict[str, Any]) -> str:
    """One sentence: RSS growth, latency creep and the sentinel's verdict of the soak."""
    if report is None:
        return "no soak in this run."
    extra = report.get("extra") or {}
    top = watch["top_growth"][0]["site"] if watch["top_growth"] else "none"
    growth, creep = extra.get("rss_growth_mb_per_h"), extra.get("p95_creep_ratio")
    return (
        f"RSS max {extra.get('rss_max_mb')} MB, growth "
        + (f"{growth} MB/h" if growth is not None else "not judged (too few samples)")
        + " (limit 20), p95 creep ratio "
        + (f"{creep}" if creep is not None else "not judged (too few seconds)")
        + f" (limit 1.25), verdict {report['verdict']}; leak sentinel (tracemalloc): {watch['verdict']}; "
        f"top growing site `{top}`."
    )


def write_rss_csv(report: dict[str, Any] | None, path: Path) -> None:
    """The soak's RSS samples (seconds since start, MB)."""
    with path.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["t_s", "rss_mb"])
        for s in (report or {}).get("rss") or []:
            w.writerow([s.get("t"), s.get("rss_mb")])


def capacity(
    reports: dict[str, dict[str, Any]], peak: float, max_connections: int, out: Path
) -> dict[str, Any]:
    """The planner's plan from this run's reports (``mercenary-perf capacity``'s model), written as
    Markdown and JSON; on missing figures, the planner's reason."""
    # A stress run whose generator lagged has no knee of the service's (the planner would take it).
    chosen = [
        (f"postgres-{n}.json", r)
        for n, r in reports.items()
        if n != "soak" and not (n == "stress" and r.get("verdict") == "UNRELIABLE")
    ]
    try:
        figures = read_figures(chosen)
    except CapacityInputError as exc:
        lagged = (reports.get("stress") or {}).get("verdict") == "UNRELIABLE"
        skipped = " (the stress run was UNRELIABLE and left out)" if lagged else ""
        reason = f"{exc}{skipped}"
        (out / "capacity_plan.md").write_text(f"# Capacity plan\n\nNot computed: {reason}\n")
        return {"error": reason}
    result = plan(figures, Params(peak_rps=peak, max_connections=max_connections))
    (out / "capacity_plan.md").write_text(capacity_markdown(result))
    (out / "capacity_plan.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def capacity_lines(result: dict[str, Any]) -> dict[str, str]:
    """The plan's summary, database and trigger lines for the report."""
    if "error" in result:
        reason = f"not computed: {result['error']}"
        return {"summary": reason, "db": reason, "triggers": reason}
    m, c, fl, db = result["measured"], result["concurrency"], result["fleet"], result["database"]
    summary = (
        f"- One instance carries {m['instance_rps']:,.1f} req/s ({m['instance_rps_source']}); "
        f"p50 {m['p50_ms']} ms, "
        f"p95 {m['p95_ms']} ms ({m['latency_source']}).\n"
        f"- Little's law at the {result['target_peak_rps']:,.0f} req/s peak: "
        f"{c['at_peak_p50']:.1f} in flight (p50), "
        f"{c['at_peak_p95']:.1f} (p95); at the 2x design rate {c['at_design_p95']:.1f}.\n"
        f"- Fleet: **{fl['instances']} instance(s) x {fl['workers_per_instance']} worker(s)**, "
        f"verdict **{result['verdict']}**."
    )
    dbline = (
        f"{db['direct_connections']} connections ({db['pools']} pools x {db['pool_size']}) "
        "against a budget of "
        f"{db['budget']} (80 % of max_connections {db['max_connections']}): "
        + ("PgBouncer needed" if db["pgbouncer"] else "no PgBouncer needed")
    )
    triggers = "\n".join(f"- {t['action']}: {t['when']} ({t['source']})" for t in result["triggers"])
    return {"summary": summary, "db": dbline, "triggers": triggers}


def hit_ratio(report: dict[str, Any]) -> float | None:
    """The service's cache hit ratio over the run's second half (a run starts cold), else the whole run's."""
    caches = report.get("caches") or {}
    later = (caches.get("second_half") or {}).get("hit_ratio")
    ratio = later if later is not None else caches.get("hit_ratio")
    return float(ratio) if isinstance(ratio, int | float) else None
