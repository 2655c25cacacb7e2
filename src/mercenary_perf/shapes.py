"""Arrival-rate shapes: when each request is *intended* to be sent.

A shape is a list of phases; each phase lasts ``duration_s`` and moves its arrival rate
linearly from ``start_rps`` to ``end_rps`` (equal for a constant phase). Arrivals are
evenly spaced in the integral of the rate, so the schedule is deterministic and the
generator never decides to send later because the server is slow.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

MAX_ARRIVALS = 50_000_000  # a hard bound on any schedule


@dataclass(frozen=True)
class Phase:
    """One stretch of a shape with a linear rate ramp."""

    duration_s: float
    start_rps: float
    end_rps: float

    def arrivals(self) -> float:
        """Expected number of arrivals in this phase."""
        return (self.start_rps + self.end_rps) / 2.0 * self.duration_s


@dataclass(frozen=True)
class Shape:
    """A named sequence of phases."""

    kind: str
    phases: tuple[Phase, ...]

    @property
    def duration_s(self) -> float:
        """Total length of the shape in seconds."""
        return sum(p.duration_s for p in self.phases)

    @property
    def peak_rps(self) -> float:
        """Highest arrival rate anywhere in the shape."""
        return max((max(p.start_rps, p.end_rps) for p in self.phases), default=0.0)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description of the shape."""
        return {"kind": self.kind, "phases": [asdict(p) for p in self.phases], "peak_rps": self.peak_rps}

    def times(self) -> Iterator[float]:
        """Yield intended send offsets (seconds from start), in order."""
        offset = 0.0
        emitted = 0
        carry = 0.0  # fractional arrival carried across phase boundaries
        for p in self.phases:
            k = 1.0 - carry
            total = p.arrivals()
            while k <= total + 1e-9 and emitted < MAX_ARRIVALS:
                yield offset + _time_of_arrival(p, k)
                emitted += 1
                k += 1.0
            carry = total - (k - 1.0)
            offset += p.duration_s


def _time_of_arrival(p: Phase, k: float) -> float:
    """Time within phase ``p`` at which the integral of its rate reaches ``k``."""
    a = (p.end_rps - p.start_rps) / (2.0 * p.duration_s) if p.duration_s > 0 else 0.0
    b = p.start_rps
    if abs(a) < 1e-12:
        return k / b if b > 0 else p.duration_s
    disc = b * b + 4.0 * a * k
    return (-b + math.sqrt(max(disc, 0.0))) / (2.0 * a)


def constant(rate: float, duration_s: float) -> Shape:
    """A constant arrival rate."""
    return Shape("constant", (Phase(duration_s, rate, rate),))


def ramp(start: float, end: float, duration_s: float, hold_s: float = 0.0) -> Shape:
    """A linear ramp from ``start`` to ``end`` req/s, then optionally hold at ``end``."""
    phases = [Phase(duration_s, start, end)]
    if hold_s > 0:
        phases.append(Phase(hold_s, end, end))
    return Shape("ramp", tuple(phases))


def steps(rates: list[float], step_s: float) -> Shape:
    """Constant steps, each ``step_s`` long."""
    return Shape("step", tuple(Phase(step_s, r, r) for r in rates))


def spike(base: float, peak: float, before_s: float, spike_s: float, after_s: float) -> Shape:
    """Base load, a sudden jump to ``peak``, then back to base to watch recovery."""
    return Shape(
        "spike",
        (Phase(before_s, base, base), Phase(spike_s, peak, peak), Phase(after_s, base, base)),
    )


def burst(count: int) -> Shape:
    """``count`` arrivals all intended at t=0 (e.g. concurrent logins)."""
    return Shape("burst", (Phase(1e-3, count * 1000.0, count * 1000.0),))
