"""Writing a report to disk in the formats asked for.

Here rather than in ``cli`` because both the command line and the rig write reports, and the rig
is part of the command line: with the writers in ``cli``, ``rig.command`` had to import ``cli``
inside a function to dodge the cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mercenary_perf.report import html, markdown
from mercenary_perf.report.schema import write_json


def write_outputs(report: dict[str, Any], json_path: Path | None, md: Path | None, page: Path | None) -> None:
    """Write whichever report formats were asked for (a ``None`` path skips that format)."""
    if json_path:
        write_json(report, json_path)
    for path, render in ((md, markdown.render), (page, html.render)):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(report))


def write_all(report: dict[str, Any], out_dir: Path, stem: str) -> None:
    """All three formats as ``out_dir/stem.{json,md,html}``."""
    write_outputs(report, out_dir / f"{stem}.json", out_dir / f"{stem}.md", out_dir / f"{stem}.html")
