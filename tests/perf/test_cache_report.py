"""The rig reads the service's own cache counters from /ready (SLO-9) and the report shows them."""

from __future__ import annotations

from aiohttp import web

from mercenary_perf.report.markdown import cache_line
from mercenary_perf.rig.command import _cache_counters
from tests.perf.servers import ServerThread


def _ready_app(body: object) -> web.Application:
    async def ready(request: web.Request) -> web.Response:
        return web.json_response(body)

    app = web.Application()
    app.router.add_get("/ready", ready)
    return app


def test_counters_are_read_summed_and_reported() -> None:
    caches = {
        "project": {"hits": 90, "misses": 10, "stale": 0, "errors": 0, "hit_ratio": 0.9},
        "user": {"hits": 10, "misses": 0, "stale": 0, "errors": 0, "hit_ratio": 1.0},
    }
    with ServerThread(_ready_app({"status": "ready", "caches": caches})) as server:
        read = _cache_counters(server.url)
    assert read is not None
    assert (read["hits"], read["misses"]) == (100, 10)
    assert abs(read["hit_ratio"] - 100 / 110) < 1e-9
    line = cache_line({"caches": read})
    assert "90.9 %" in line and "project 90.0 % of 100" in line and "user 100.0 % of 10" in line


def test_a_service_without_counters_reports_none() -> None:
    with ServerThread(_ready_app({"status": "ready"})) as server:
        assert _cache_counters(server.url) is None
    assert _cache_counters("http://127.0.0.1:9") is None
    assert cache_line({}) == ""
