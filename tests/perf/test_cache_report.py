"""The rig reads the service's own cache counters from /ready (SLO-9) and the report shows them."""

from __future__ import annotations

from aiohttp import web

from mercenary_perf.report.markdown import cache_line
from mercenary_perf.rig.command import _cache_counters, second_half
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


def test_the_second_half_of_a_run_is_reported_apart() -> None:
    end = {"read_at": 70.0, "by_cache": {}, "hits": 900, "misses": 100, "hit_ratio": 0.9}
    mid = {"read_at": 40.0, "by_cache": {}, "hits": 350, "misses": 90, "hit_ratio": 350 / 440}
    later = second_half(end, mid)
    assert later == {"hits": 550, "misses": 10, "hit_ratio": 550 / 560, "seconds": 30.0}
    assert second_half(end, None) is None
    line = cache_line({"caches": {**end, "second_half": later}})
    assert "whole run): 90.0 %; its last 30.0 s 98.2 %" in line
