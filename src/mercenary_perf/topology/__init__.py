"""``mercenary-perf topology``: the scaled deployment as real processes on loopback."""
