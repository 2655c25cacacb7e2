"""Liveness and readiness probes (API-9)."""
