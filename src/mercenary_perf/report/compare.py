"""Two runs side by side with ratios (B / A), for before/after and peer comparisons."""

from __future__ import annotations

from typing import Any

from mercenary_perf.report.schema import verdict_of


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or a == 0:
        return "-"
    return f"{b / a:.2f}x"


def _num(v: Any) -> str:
    return "-" if v is None else f"{v:,.3g}" if isinstance(v, float) and abs(v) < 1 else f"{v:,.1f}"


def _verdict(r: dict[str, Any]) -> str:
    lag = r["generator"].get("scheduler_lag_ms", {}).get("p99")
    return f"verdict {verdict_of(r)}, generator lag p99 {_num(lag)} ms"


def _rows(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    rows: list[tuple[str, Any, Any]] = []
    names = ["overall", *sorted(set(a["endpoints"]) | set(b["endpoints"]))]
    for name in names:
        sa = a["overall"] if name == "overall" else a["endpoints"].get(name)
        sb = b["overall"] if name == "overall" else b["endpoints"].get(name)
        for metric in ("rate", "p50", "p95", "p99", "error_rate"):

            def get(s: dict[str, Any] | None, m: str = metric) -> Any:
                if s is None:
                    return None
                return s["latency_ms"][m] if m.startswith("p") else s[m]

            rows.append((f"{name} {metric}", get(sa), get(sb)))
    return rows


def compare(a: dict[str, Any], b: dict[str, Any], label_a: str = "A", label_b: str = "B") -> str:
    """A Markdown comparison of reports ``a`` and ``b``."""
    out = [
        f"# {a['scenario']['name']} ({label_a}) vs {b['scenario']['name']} ({label_b})",
        "",
        f"- {label_a}: {a['started_at']}, {a['target']['base_url']}, {_verdict(a)}",
        f"- {label_b}: {b['started_at']}, {b['target']['base_url']}, {_verdict(b)}",
        "",
        "## Thresholds",
        "",
        f"| Req | Threshold | {label_a} | {label_b} | ratio |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    tb = {t["label"]: t for t in b["thresholds"]}
    for t in a["thresholds"]:
        u = tb.get(t["label"], {})
        va, vb = t["value"], u.get("value")
        mark_a = "PASS" if t["passed"] else "FAIL"
        mark_b = "PASS" if u.get("passed") else "FAIL" if u else "-"
        cells = [t["requirement"], t["label"], f"{_num(va)} {mark_a}", f"{_num(vb)} {mark_b}", _ratio(va, vb)]
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "## Figures (ms, req/s)",
        "",
        f"| Metric | {label_a} | {label_b} | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, va, vb in _rows(a, b):
        out.append(f"| {name} | {_num(va)} | {_num(vb)} | {_ratio(va, vb)} |")
    return "\n".join(out) + "\n"
