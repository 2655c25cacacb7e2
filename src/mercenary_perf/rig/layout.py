"""Where the rig puts each process (``mercenary-perf rig --layout``); the report records the choice.

``vm`` (the default) is the machine the seeds describe, a 1 OCPU / 1 GB VM: the service and its data
tier (the SQLite file inside the service process, or PostgreSQL and Redis) all run on core 0, the
service under the 1 GB cap, and the load generator is alone on core 1, so nothing it measures gets a
core the VM would not have. ``split`` is the earlier layout: the service alone on core 0, the data tier
on core 1 beside the load generator (the database gets a second core, the generator loses half of one).
"""

from __future__ import annotations

from dataclasses import dataclass

from mercenary_perf.rig.procs import LOAD_CPU, SERVER_CPU


@dataclass(frozen=True)
class Layout:
    """The cores of the service, of the data tier and of the load generator."""

    name: str
    server_cpu: int
    data_cpu: int
    load_cpu: int
    summary: str


LAYOUTS = {
    "vm": Layout(
        "vm",
        SERVER_CPU,
        SERVER_CPU,
        LOAD_CPU,
        f"1 OCPU / 1 GB VM: service and data tier on core {SERVER_CPU}, "
        f"load generator alone on core {LOAD_CPU}",
    ),
    "split": Layout(
        "split",
        SERVER_CPU,
        LOAD_CPU,
        LOAD_CPU,
        f"service alone on core {SERVER_CPU}; data tier on core {LOAD_CPU}, shared with the load generator",
    ),
}
DEFAULT_LAYOUT = "vm"
