"""A self-contained HTML report: the Markdown tables plus inline SVG line charts (no libraries)."""

from __future__ import annotations

import html
from typing import Any

from mercenary_perf.report import markdown
from mercenary_perf.report.schema import verdict_of

W, H, PAD_L, PAD_B, PAD_T, PAD_R = 720, 220, 56, 28, 24, 12
COLOURS = ("#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd")

Points = list[tuple[float, float]]


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    mag = 10 ** len(str(int(v))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * mag:
            return float(step * mag)
    return v


def line_chart(title: str, unit: str, series: dict[str, Points]) -> str:
    """One SVG line chart of named series sharing an x axis (seconds)."""
    pts = [p for s in series.values() for p in s]
    if not pts:
        return f"<p><em>{html.escape(title)}: no data</em></p>"
    x_max = max(max(x for x, _ in pts), 1.0)
    y_max = _nice_max(max(y for _, y in pts))
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def sx(x: float) -> float:
        return PAD_L + x / x_max * pw

    def sy(y: float) -> float:
        return PAD_T + ph - y / y_max * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" '
        f'aria-label="{html.escape(title)}" style="font:11px sans-serif">',
        f'<text x="{PAD_L}" y="14" font-weight="bold">{html.escape(title)} ({html.escape(unit)})</text>',
    ]
    for i in range(5):
        y = y_max * i / 4
        parts.append(
            f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#ddd"/>'
            f'<text x="{PAD_L - 4}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:g}</text>'
        )
    for i in range(6):
        x = x_max * i / 5
        parts.append(f'<text x="{sx(x):.1f}" y="{H - 8}" text-anchor="middle">{x:.0f}s</text>')
    for n, (name, s) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        if s:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{path}"/>')
        parts.append(
            f'<text x="{W - PAD_R - 110 * (len(series) - n)}" y="14" fill="{colour}">'
            f"{html.escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def charts(report: dict[str, Any]) -> list[str]:
    """The latency, throughput, errors and RSS charts of a report."""
    ts = report.get("timeseries", [])
    out = [
        line_chart(
            "Latency by intended send second",
            "ms",
            {p: [(r["t"], r[p]) for r in ts] for p in ("p50", "p95", "p99")},
        ),
        line_chart("Throughput", "req/s", {"requests": [(r["t"], r["count"]) for r in ts]}),
        line_chart(
            "Errors",
            "per s",
            {
                "5xx/timeouts/conn": [(r["t"], r["errors"]) for r in ts],
                "4xx": [(r["t"], r["client_errors"]) for r in ts],
            },
        ),
    ]
    if report.get("rss"):
        out.append(line_chart("Server RSS", "MB", {"rss": [(s["t"], s["rss_mb"]) for s in report["rss"]]}))
    return out


def _md_table_to_html(md: str) -> str:
    rows = [r.strip().strip("|").split("|") for r in md.strip().splitlines()]
    head, body = rows[0], rows[2:]
    th = "".join(f"<th>{html.escape(c.strip())}</th>" for c in head)
    trs = []
    for r in body:
        cells = []
        for c in r:
            text = html.escape(c.strip().replace("**", ""))
            cls = ' class="pass"' if text == "PASS" else ' class="fail"' if text == "FAIL" else ""
            cells.append(f"<td{cls}>{text}</td>")
        trs.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{th}</tr>{''.join(trs)}</table>"


def render(report: dict[str, Any]) -> str:
    """The whole HTML page."""
    sc = report["scenario"]
    verdict = verdict_of(report)
    notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in report.get("notes", []))
    facts = {**report.get("rig", {}), **report.get("machine", {})}
    fact_rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts.items()
    )
    idle = f"<p>{html.escape(markdown.idle_line(report))}</p>" if report.get("idle") else ""
    gen_note = html.escape(f"{report['generator'].get('note')}; {markdown.lag_line(report['generator'])}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(sc["name"])}: {verdict}</title>
<style>body{{font:14px sans-serif;max-width:980px;margin:2em auto}}
table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}
.pass{{background:#dfd}} .fail{{background:#fdd}} .unreliable{{background:#fe9}}
pre{{white-space:pre-wrap;background:#f6f6f6;padding:8px}}</style></head><body>
<h1>{html.escape(sc["name"])}: <span class="{verdict.lower()}">{verdict}</span></h1>
<p>Started {html.escape(report["started_at"])}, {report["duration_s"]} s against
{html.escape(report["target"]["base_url"])}. Generator: {gen_note}.</p>
<pre>{html.escape(sc["traffic"])}</pre>
<h2>SLO verdicts</h2>{_md_table_to_html(markdown.slo_table(report))}{idle}
<h2>Plots</h2>{"".join(charts(report))}
<h2>Endpoints (ms)</h2>{_md_table_to_html(markdown.endpoint_table(report))}
<h2>Rig and machine</h2><table>{fact_rows}</table>
<h2>Notes</h2><ul>{notes}</ul>
</body></html>
"""
