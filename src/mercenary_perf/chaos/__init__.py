"""``mercenary-perf chaos``: faults injected into real processes under load (RES-5)."""
