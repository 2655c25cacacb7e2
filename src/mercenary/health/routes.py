"""``/health`` says the process is alive; ``/ready`` says its dependencies answer (API-9)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.responses import Response

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


@router.get("/ready", responses={503: {"description": "A dependency is down."}})
async def ready(state: State) -> Response:
    """Readiness: the database and the cache answer within a second each."""
    checks = dict(await asyncio.gather(_check("database", state.db.ping), _check("cache", state.cache.ping)))
    ok = all(c["status"] == "up" for c in checks.values())
    # The cache's counters per kind of value (SLO-9 is judged on them): hits, misses, stale, errors.
    caches = {
        name: {**vars(c), "hit_ratio": round(c.hit_ratio, 4)} for name, c in state.cache.counters.items()
    }
    # The rate limiter is not a readiness check: it fails open. Its counters say when it did.
    limiter = state.limiter
    rate_limit = {"backend": limiter.backend_name, **vars(limiter.counters)}
    body = {
        "status": "ready" if ok else "not_ready",
        "checks": checks,
        "caches": caches,
        "rate_limit": rate_limit,
    }
    return Response(orjson.dumps(body), status_code=200 if ok else 503, media_type="application/json")
