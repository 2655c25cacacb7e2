"""The scenarios of PERF-1, by name."""

from __future__ import annotations

from mercenary_perf.scenarios import (
    auth_burst,
    browse,
    mixed,
    overload,
    pages_browse,
    read_heavy,
    smoke,
    soak,
    spike,
    stress,
    submit_proposal,
    write_heavy,
)
from mercenary_perf.scenarios.base import Scenario

SCENARIOS: dict[str, Scenario] = {
    m.SCENARIO.name: m.SCENARIO
    for m in (
        smoke,
        browse,
        submit_proposal,
        auth_burst,
        read_heavy,
        write_heavy,
        mixed,
        spike,
        overload,
        stress,
        soak,
        pages_browse,
    )
}


def get(name: str) -> Scenario:
    """The scenario called ``name``; KeyError lists the known ones."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None
