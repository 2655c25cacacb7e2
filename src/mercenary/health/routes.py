"""``/health`` says the process is alive; ``/ready`` says its dependencies answer (API-9); ``/metrics``
is for the Prometheus scrapers in ``METRICS_ALLOW`` (OBS-1, docs/observability.md)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from mercenary.backends import breaker_states
from mercenary.observability.networks import allowed
from mercenary.observability.registry import BREAKER_STATE
from mercenary.state import AppState
from mercenary.web.deps import State

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_S = 1.0


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process is up and its event loop answers."""
    return {"status": "ok"}


async def _check(name: str, probe: Any) -> tuple[str, dict[str, Any]]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT_S)
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return name, {"status": "down", "error": type(exc).__name__}
    return name, {"status": "up", "ms": round((time.perf_counter() - started) * 1000, 2)}


WORKER_BREAKERS = ("mail",)


async def _worker_breakers(state: AppState) -> dict[str, Any]:
    """The breakers that live in workers, as last recorded (closed until one ever opened); the
    state is ``unknown`` while the database cannot be read."""
    try:
        recorded = await asyncio.wait_for(breaker_states.load(state.db), CHECK_TIMEOUT_S)
    except Exception:
        return {name: {"state": "unknown", "opened": None} for name in WORKER_BREAKERS}
    closed = {"state": "closed", "opened": 0}
    shown = {name: recorded.get(name, closed) for name in WORKER_BREAKERS}
    return {name: {"state": b["state"], "opened": b["opened"]} for name, b in shown.items()}


@router.get("/ready", responses={503: {"description": "A dependency is down."}})
async def ready(state: State) -> Response:
    """Readiness: the database and the cache answer within a second each; also the job queue's
    depth per priority, blob storage's answer and the circuit breakers' states."""
    checks = dict(
        await asyncio.gather(
            _check("database", state.db.ping),
            _check("cache", state.cache.ping),
            _check("blobs", state.blobs.ping),
        )
    )
    # Blob storage is reported, not a gate: without it only uploads and downloads fail (503).
    blobs = {"backend": state.blobs.name, **checks.pop("blobs")}
    ok = all(c["status"] == "up" for c in checks.values())
    # The cache's counters per kind of value (SLO-9 is judged on them): hits, misses, stale, errors.
    caches = {
        name: {**vars(c), "hit_ratio": round(c.hit_ratio, 4)} for name, c in state.cache.counters.items()
    }
    # Jobs waiting or running per priority; the queue does not gate readiness: while it is down,
    # writes keep their jobs in the outbox and a worker sends them later.
    try:
        jobs: dict[str, Any] = {
            "status": "up",
            "depth": await asyncio.wait_for(state.queue.depths(), CHECK_TIMEOUT_S),
        }
    except Exception as exc:
        jobs = {"status": "down", "error": type(exc).__name__}
    # The rate limiter is not a readiness check: it fails open. Its counters say when it did.
    limiter = state.limiter
    rate_limit = {"backend": limiter.backend_name, **vars(limiter.counters)}
    # The circuit breakers (RES-3): Redis' two fail open; blob storage's fails closed (uploads and
    # downloads get 503), but the rest of the API serves without it; the workers' mail breaker (as
    # they recorded it) fails open. None gates readiness.
    breakers: dict[str, Any] = {
        b.name: {"state": b.state_name, "opened": b.opened}
        for b in (state.cache.breaker, limiter.breaker, state.blobs.breaker)
    }
    breakers.update(await _worker_breakers(state))
    body: dict[str, Any] = {
        "status": "ready" if ok else "not_ready",
        "checks": checks,
        "caches": caches,
        "rate_limit": rate_limit,
        "breakers": breakers,
        "jobs": jobs,
        "blobs": blobs,
    }
    # DB-8: where single reads ran; the replica does not gate readiness (reads fall back to the primary).
    routed = getattr(state.db, "routed", None)
    if routed is not None:
        c = routed.counters
        body["replica"] = {
            "reads": c.replica,
            "primary_reads": c.primary,
            "lag_checks": c.lag_checks,
            "failures": c.failures,
            "replayed_lsn": c.replayed_lsn,
        }
    return Response(orjson.dumps(body), status_code=200 if ok else 503, media_type="application/json")


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus metrics, to peers in ``METRICS_ALLOW``; anyone else gets the 404 of an unknown path."""
    from mercenary.observability import exposition

    app_state = request.app.state
    client = request.client
    if not allowed(client.host if client else None, app_state.metrics_allow):
        raise HTTPException(404)
    try:  # the workers' breakers, as recorded in the database (unchanged when it cannot be read)
        recorded = await asyncio.wait_for(breaker_states.load(app_state.mercenary.db), CHECK_TIMEOUT_S)
    except Exception:
        recorded = None
    if recorded is not None:
        for name in WORKER_BREAKERS:
            BREAKER_STATE.labels(name).set(recorded.get(name, {}).get("level", 0))
    app_state.metrics.publish()
    await app_state.metrics.publish_queue()
    return Response(exposition.render(), media_type=exposition.CONTENT_TYPE)
