"""The capacity planner (PERF-4): measured reports and a target peak in, a sizing plan out."""
