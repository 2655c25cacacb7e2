"""``/metrics`` after real traffic (OBS-1): every series the service promises, with plausible values,
labelled by route template; and who may read it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from mercenary.settings import Settings
from tests.api.helpers import assert_problem, bearer, signup
from tests.support.metrics import samples, total

PROJECT = "/api/v1/projects/{project_id}"


async def scrape(client: httpx.AsyncClient) -> dict[str, list]:  # type: ignore[type-arg]
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


async def test_metrics_show_every_series_after_traffic(client: httpx.AsyncClient, settings: Settings) -> None:
    before = await scrape(client)
    user = await signup(client, "ann@example.com")
    headers = bearer(user["access_token"])
    for _ in range(3):
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200
    for project_id in (7, 8, 9):
        missing = await client.get(f"/api/v1/projects/{project_id}", headers=headers)
        assert missing.status_code == 404
    assert (await client.get("/no/such/path")).status_code == 404
    after = await scrape(client)

    def gained(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    # The request histogram, by template: three different ids are one series, never three.
    assert gained("request_duration_seconds_count", route=PROJECT, method="GET", status="404") == 3
    assert gained("request_duration_seconds_count", route="/api/v1/users/me", method="GET", status="200") == 3
    assert gained("request_duration_seconds_count", route="/api/v1/auth/signup", status="201") == 1
    assert gained("request_duration_seconds_count", route="<unmatched>", status="404") == 1
    routes = {s.labels["route"] for s in after["request_duration_seconds_count"]}
    assert not any(route.startswith("/api/v1/projects/") and "{" not in route for route in routes)
    assert not any(route.startswith("/no/") for route in routes)
    signup_time = gained("request_duration_seconds_sum", route="/api/v1/auth/signup")
    assert 0 < signup_time < 30
    inf = gained("request_duration_seconds_bucket", route=PROJECT, status="404", le="+Inf")
    assert inf == 3

    # Statements: the signup alone writes several rows; each took under a few seconds.
    statements = gained("db_statement_duration_seconds_count")
    assert statements >= 3
    assert 0 < gained("db_statement_duration_seconds_sum") < statements * 5

    # The user cache: the first /users/me loads, the next two hit (counted by the store, published at scrape).
    assert gained("cache_misses_total", cache="user") >= 1
    assert gained("cache_hits_total", cache="user") >= 2
    assert total(after, "cache_stale_total", cache="user") == 0
    assert total(after, "cache_errors_total", cache="user") == 0

    # The pool: nothing lent out between requests; its size is the setting (SQLite: the one writer).
    expected_size = 1 if settings.DATABASE_URL.startswith("sqlite") else settings.DB_POOL_SIZE
    assert total(after, "db_pool_size") == expected_size
    assert total(after, "db_pool_in_use") == 0

    # The rate limiter: every request but the scrapes was counted (limits are high enough here).
    assert gained("ratelimit_checked_total") >= 8
    assert total(after, "ratelimit_rejections_total") == 0
    assert total(after, "ratelimit_failed_open_total") == 0

    # The process: this one's RSS and CPU, and the memory it may use.
    assert 20e6 < total(after, "process_resident_memory_bytes") < total(after, "memory_limit_bytes")
    assert total(after, "process_cpu_seconds_total") > 0


async def test_metrics_are_refused_outside_the_allowed_networks(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as outsider:
        assert_problem(await outsider.get("/metrics"), 404, "not_found")
        assert (await outsider.get("/health")).status_code == 200


async def test_correlation_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/health", headers={"X-Request-ID": "lb-7f3a.42"})
    assert given.headers["x-request-id"] == "lb-7f3a.42"
    made = await client.get("/health")
    assert len(made.headers["x-request-id"]) == 32
    assert made.headers["x-request-id"] != (await client.get("/health")).headers["x-request-id"]
    for insane in ("a" * 129, "two words", "line\tbreak", "<script>"):
        replaced = await client.get("/health", headers={"X-Request-ID": insane})
        assert replaced.headers["x-request-id"] != insane
        assert len(replaced.headers["x-request-id"]) == 32
    # Error answers carry it too.
    assert "x-request-id" in (await client.get("/no/such/path")).headers


@pytest.mark.parametrize("spec", ["10.0.0.0/33", "nope", "10.0.0.0/8,"])
def test_bad_metrics_networks_are_refused_at_start(spec: str) -> None:
    if spec.endswith(","):  # an empty item is ignored, the rest must be valid
        assert spec == Settings(METRICS_ALLOW=spec).METRICS_ALLOW
        return
    with pytest.raises(ValueError, match="METRICS_ALLOW"):
        Settings(METRICS_ALLOW=spec)
