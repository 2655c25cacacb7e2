"""The JSON report: one stable, versioned schema every other format is rendered from.

Top-level keys (schema ``mercenary-perf/report/v1``): ``schema``, ``scenario`` (name, traffic,
requirements), ``target`` (base_url), ``started_at``, ``duration_s``, ``requested`` (rate,
shape), ``generator`` (ceiling, reliable, scheduler lag and its limit), ``overall``, ``endpoints``,
``groups``, ``flows``, ``extra``, ``timeseries`` (per second by intended send time),
``thresholds`` (rows with ``passed``), ``thresholds_passed``, ``verdict`` (``PASS``, ``FAIL``, or
``UNRELIABLE`` when the generator was unreliable, whatever the thresholds say), ``passed`` (the
verdict is PASS), ``dataset``, ``notes``, plus optional ``steps`` (stress), ``rss`` (soak / rig),
``rig`` and ``machine`` sections.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from mercenary_perf.generator import RunResult
from mercenary_perf.scenarios.base import Options, Scenario
from mercenary_perf.selfcheck import MAX_LAG_P99_MS, cached_ceiling, reliability

SCHEMA = "mercenary-perf/report/v1"
UNRELIABLE = "UNRELIABLE"
# A burst's arrivals are all due at once and go out one after another: dispatching 20 takes a few ms
# by nature. Past this the arrivals are no longer one burst.
BURST_LAG_LIMIT_MS = 100.0
EXIT_CODES = {"PASS": 0, "FAIL": 1, UNRELIABLE: 3}


def build_report(
    *,
    scenario: Scenario,
    options: Options,
    rate: float,
    duration_s: float,
    result: RunResult,
    measured: dict[str, Any],
    verdicts: list[dict[str, Any]],
    peak_rps: float,
    dataset: dict[str, int],
    notes: list[str],
    sections: dict[str, Any],
) -> dict[str, Any]:
    """Assemble the report dict of one run."""
    if result.shape.kind == "burst":
        gen: dict[str, Any] = {
            "ceiling_rps": None,
            "reliable": True,
            "note": "a single burst; rate ceiling does not apply",
        }
        limit = BURST_LAG_LIMIT_MS
    else:
        gen = reliability(peak_rps, cached_ceiling())
        limit = MAX_LAG_P99_MS
    gen["scheduler_lag_ms"] = result.recorder.lag_summary()
    gen["lag_limit_ms"] = limit
    gen["unfinished_at_stop"] = result.unfinished
    lag_p99 = gen["scheduler_lag_ms"]["p99"] or 0.0
    if lag_p99 > limit:
        late = f"the scheduler ran {lag_p99:g} ms late at p99, over {limit:g} ms (generator saturated)"
        earlier = str(gen["note"]) if gen.get("reliable") is False else ""
        gen["reliable"] = False
        gen["note"] = f"{earlier}; {late}" if earlier else f"UNRELIABLE: {late}"
    thresholds_passed = bool(verdicts) and all(v["passed"] for v in verdicts)
    verdict = judge(thresholds_passed, gen.get("reliable"))
    missing = sorted(k for k, v in measured["endpoints"].items() if v["missing"])
    notes = list(notes) + [f"endpoint not served (all 404/405): {name}" for name in missing]
    if result.flow_errors:
        notes.append(f"flow errors (harness-side): {result.flow_errors}")
    return {
        "schema": SCHEMA,
        "scenario": {
            "name": scenario.name,
            "traffic": scenario.traffic.strip(),
            "requirements": scenario.requirements,
        },
        "target": {
            "base_url": options.base_url,
            "db_url_scheme": (options.db_url or "").split(":", 1)[0] or None,
        },
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(result.started_at)),
        "duration_s": round(duration_s, 3),
        "requested": {"rate": rate, "shape": result.shape.to_json(), "timeout_s": options.timeout_s},
        "generator": gen,
        **measured,
        "timeseries": result.recorder.timeseries(),
        "thresholds": verdicts,
        "thresholds_passed": thresholds_passed,
        "verdict": verdict,
        "passed": verdict == "PASS",
        "dataset": dataset,
        "notes": notes,
        **sections,
    }


def judge(thresholds_passed: bool, reliable: bool | None) -> str:
    """``UNRELIABLE`` when the generator could not hold its schedule (its figures describe the
    generator, not the server: no pass, whatever the thresholds say), else ``PASS`` or ``FAIL``.
    A run without a measured ceiling (``reliable`` None) is judged on its thresholds and its lag."""
    if reliable is False:
        return UNRELIABLE
    return "PASS" if thresholds_passed else "FAIL"


def verdict_of(report: dict[str, Any]) -> str:
    """The verdict of a report (older reports have only ``passed``)."""
    return str(report.get("verdict") or ("PASS" if report["passed"] else "FAIL"))


def exit_code(verdict: str) -> int:
    """The command's exit status for a verdict: 0 PASS, 1 FAIL, 3 UNRELIABLE."""
    return EXIT_CODES[verdict]


def write_json(report: dict[str, Any], path: Path) -> None:
    """Write the report as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


def read_json(path: Path) -> dict[str, Any]:
    """Read a report, checking its schema tag."""
    data: dict[str, Any] = json.loads(path.read_text())
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{path} is not a {SCHEMA} report")
    return data
