"""The performance and scalability audit (PERF-5): ``mercenary-perf audit``."""
