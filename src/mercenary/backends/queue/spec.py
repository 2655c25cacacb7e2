"""What a job is, seen from the code that asks for it: a name, a priority, a lease and retries.

A spec is declared once, beside the service that enqueues it (``<domain>/service.py``), and the
handler in ``<domain>/jobs.py`` is bound to it; the API never imports the handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Priority = Literal["high", "default", "low"]
# One queue per priority. Workers take the waiting job of the highest priority first (JOB-2):
# high should start within a minute, default within ten, low within the hour.
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
# Dramatiq runs the lowest number first among the jobs a worker holds.
RANK: dict[str, int] = {"high": 0, "default": 50, "low": 100}


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job ``<domain>.<verb>`` and how it runs.

    ``lease_s`` must exceed twice the job's p95 run time (JOB-4): it is the most a run may take
    (the worker aborts it, then retries) and, on the embedded queue, how long a job stays hidden
    after its worker last showed signs of life before another worker takes it. ``max_retries``
    failures later the job goes to the dead-letter store; retries wait ``min_backoff_s`` x 2^n,
    with jitter, up to ``max_backoff_s``.
    """

    name: str
    priority: Priority = "default"
    lease_s: float = 300.0
    max_retries: int = 5
    min_backoff_s: float = 15.0
    max_backoff_s: float = 3_600.0

    def __post_init__(self) -> None:
        domain, dot, verb = self.name.partition(".")
        if not (domain and dot and verb.isidentifier()):
            raise ValueError(f"a job is named <domain>.<verb>, not {self.name!r}")
        if self.priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {PRIORITIES}")

    @property
    def lease_ms(self) -> int:
        """The lease in milliseconds (what the broker stores)."""
        return int(self.lease_s * 1000)
