"""The Markdown report: the SLO table with PASS/FAIL per threshold, then per-endpoint figures."""

from __future__ import annotations

from typing import Any

from mercenary_perf.report.schema import verdict_of


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1 else f"{v:,.1f}"
    return str(v)


def lag_line(gen: dict[str, Any]) -> str:
    """The generator's scheduler lag, e.g. ``scheduler lag p50 0.1 / p99 0.4 / max 2 ms (limit p99 10)``."""
    lag = gen.get("scheduler_lag_ms") or {}
    limit = gen.get("lag_limit_ms")
    figures = " / ".join(f"{k} {_fmt(lag.get(k))}" for k in ("p50", "p99", "max"))
    return f"scheduler lag {figures} ms" + (f" (limit p99 {limit:g} ms)" if limit is not None else "")


def slo_table(report: dict[str, Any]) -> str:
    """Only the SLO table (requirement, threshold, measured, verdict)."""
    lines = ["| Req | Threshold | Measured | Verdict |", "| --- | --- | --- | --- |"]
    for t in report["thresholds"]:
        verdict = "PASS" if t["passed"] else "FAIL"
        measured = _fmt(t["value"]) if t["value"] is not None else f"- ({t['note']})"
        lines.append(f"| {t['requirement']} | {t['label']} | {measured} | {verdict} |")
    return "\n".join(lines)


def idle_line(report: dict[str, Any]) -> str:
    """What became of the idle keep-alive connections of the run (SLO-10); empty without them."""
    idle = report.get("idle")
    if not idle:
        return ""
    failed = sum(idle["open_failures"].values())
    lost = sum(idle["lost_while_idle"].values())
    rss = idle["rss_mb"]
    line = (
        f"Idle connections: {idle['held']} of {idle['requested']} held, {idle['errors']} errors "
        f"({failed} failed to open, {lost} closed or reset by the server while idle, "
        f"{sum(idle['verify_failures'].values())} failed the final request); opened in "
        f"{_fmt(idle['open_s'])} s, idle {_fmt(idle['idle_at_least_s'])}-{_fmt(idle['idle_at_most_s'])} s"
    )
    if rss.get("with_idle") is not None:
        line += (
            f"; server RSS {_fmt(rss.get('before'))} MB before, {_fmt(rss['with_idle'])} MB with them "
            f"open ({_fmt(idle['rss_kb_per_connection'])} kB each), "
            f"{_fmt(rss.get('after_load'))} MB after the load"
        )
    reasons = {**idle["open_failures"], **idle["lost_while_idle"], **idle["verify_failures"]}
    if reasons:
        line += "; reasons: " + ", ".join(f"{k} ({v})" for k, v in reasons.items())
    return line + "."


def cache_line(report: dict[str, Any]) -> str:
    """The service's own cache counters at the end of the run (SLO-9); empty when it gave none."""
    caches = report.get("caches")
    if not caches:
        return ""
    parts = [
        f"{name} {_fmt(100 * c['hit_ratio'])} % of {c['hits'] + c['misses']}"
        for name, c in sorted(caches["by_cache"].items())
    ]
    ratio = caches.get("hit_ratio")
    overall = "n/a" if ratio is None else f"{_fmt(100 * ratio)} %"
    later = caches.get("second_half") or {}
    half = (
        ""
        if later.get("hit_ratio") is None
        else f"; its last {_fmt(later['seconds'])} s {_fmt(100 * later['hit_ratio'])} %"
    )
    return f"Cache hit ratio (server counters, whole run): {overall}{half}; " + ", ".join(parts) + "."


def endpoint_table(report: dict[str, Any]) -> str:
    """Per-endpoint (and per-flow) rate, percentiles and error split."""
    head = "| Endpoint | n | req/s | p50 | p95 | p99 | max | errors | 4xx | statuses |"
    lines = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    rows = [("**overall**", report["overall"])]
    rows += list(report["endpoints"].items()) + [
        (f"flow: {k}", v) for k, v in report.get("flows", {}).items()
    ]
    for name, s in rows:
        lat = s["latency_ms"]
        lines.append(
            f"| {name} | {s['count']} | {_fmt(s['rate'])} | {_fmt(lat['p50'])} | {_fmt(lat['p95'])} | "
            f"{_fmt(lat['p99'])} | {_fmt(lat['max'])} | {s['errors']} ({s['error_rate']:.2%}) | "
            f"{s['outcomes']['client']} | {', '.join(f'{k}:{v}' for k, v in s['statuses'].items())} |"
        )
    return "\n".join(lines)


def render(report: dict[str, Any]) -> str:
    """The whole Markdown report."""
    sc = report["scenario"]
    gen = report["generator"]
    verdict = verdict_of(report)
    out = [
        f"# {sc['name']}: {verdict}",
        "",
        f"Started {report['started_at']}, {report['duration_s']} s against {report['target']['base_url']}; "
        f"requested {report['requested']['rate']:g} req/s ({report['requested']['shape']['kind']}). "
        f"Requirements: {', '.join(sc['requirements'])}.",
        "",
        f"Generator: ceiling {_fmt(gen.get('ceiling_rps'))} req/s; {gen.get('note')}; {lag_line(gen)}.",
        "",
        "## SLO verdicts",
        "",
        slo_table(report),
        "",
        *([idle_line(report), ""] if report.get("idle") else []),
        *([cache_line(report), ""] if report.get("caches") else []),
        "## Endpoints (latency in ms, from the intended send time)",
        "",
        endpoint_table(report),
    ]
    if report.get("steps"):
        out += [
            "",
            "## Stress steps",
            "",
            "| rate | verdict | p95 | p99 | errors |",
            "| ---: | --- | ---: | ---: | ---: |",
        ]
        for st in report["steps"]:
            if "skipped" in st:
                out.append(f"| {st['rate']:g} | skipped: {st['skipped']} | | | |")
                continue
            o = st["overall"]
            out.append(
                f"| {st['rate']:g} | {'PASS' if st['passed'] else 'FAIL'} | {_fmt(o['latency_ms']['p95'])} | "
                f"{_fmt(o['latency_ms']['p99'])} | {o['error_rate']:.2%} |"
            )
    if report.get("rig"):
        out += ["", "## Rig", ""] + [f"- {k}: {v}" for k, v in report["rig"].items()]
    if report.get("machine"):
        out += ["", "## Machine", ""] + [f"- {k}: {v}" for k, v in report["machine"].items()]
    if report.get("notes"):
        out += ["", "## Notes", ""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(out) + "\n"
