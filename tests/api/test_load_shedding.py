"""Load shedding (RES-4, RES-7, web/overload.py): with the loop lagging, the pool saturated or memory
near its limit, heavy requests (search, lists with ``include=``) get a fast 503 ``overloaded`` with
``Retry-After`` while light ones answer 200. Each condition is forced for real."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from prometheus_client import REGISTRY

from mercenary.settings import Settings
from mercenary.state import AppState
from tests.api.helpers import assert_problem, bearer, signup

PROJECT = {
    "title": "Build a shop",
    "description": "An online shop with payments.",
    "budget": 100,
    "skills": [],
}
HEAVY = ("/api/v1/search/projects?q=shop", "/api/v1/projects?include=owner")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"SHED_ENABLED": True, "SHED_CHECK_MS": 20, "SHED_LOOP_LAG_MS": 150, "SHED_HOLD_S": 1.0}
    )


@pytest.fixture
async def market(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    headers = bearer((await signup(client, "owner@example.com"))["access_token"])
    created = await client.post("/api/v1/projects", json=PROJECT, headers=headers)
    assert created.status_code == 201
    light = f"/api/v1/projects/{created.json()['id']}"
    assert (await client.get(light, headers=headers)).status_code == 200  # cached from now on
    return headers, light


def state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.mercenary
    return state


async def until(predicate: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "the condition was not seen in time"
        await asyncio.sleep(0.01)


def shed_count(reason: str) -> float:
    return REGISTRY.get_sample_value("requests_shed_total", {"reason": reason}) or 0.0


async def check_shedding(app: FastAPI, client: httpx.AsyncClient, market: Any, reason: str) -> None:
    headers, light = market
    published = shed_count(reason)
    for path in HEAVY:
        response = await client.get(path, headers=headers)
        body = assert_problem(response, 503, "overloaded")
        assert body["reason"] == reason
        assert response.headers["retry-after"] == "1"
    assert (await client.get(light, headers=headers)).status_code == 200
    assert (await client.get("/health")).status_code == 200
    assert state_of(app).overload.shed[reason] == len(HEAVY)
    app.state.metrics.publish()
    assert shed_count(reason) == published + len(HEAVY)


async def test_healthy_heavy_requests_are_served(client: httpx.AsyncClient, market: Any) -> None:
    headers, _ = market
    for path in HEAVY:
        assert (await client.get(path, headers=headers)).status_code == 200


async def test_a_blocked_event_loop_sheds_heavy_requests_then_recovers(
    app: FastAPI, client: httpx.AsyncClient, market: Any
) -> None:
    monitor = state_of(app).overload
    time.sleep(0.4)
    await until(lambda: monitor.reason == "loop_lag")
    await check_shedding(app, client, market, "loop_lag")
    await until(lambda: monitor.reason is None)  # SHED_HOLD_S after the loop is free again
    headers, _ = market
    assert (await client.get(HEAVY[0], headers=headers)).status_code == 200


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_saturated_pool_sheds_heavy_requests(
    app: FastAPI, client: httpx.AsyncClient, market: Any
) -> None:
    state = state_of(app)
    monitor = state.overload
    async with contextlib.AsyncExitStack() as held:
        for _ in range(state.settings.DB_POOL_SIZE):  # every connection lent out, as under a burst
            await held.enter_async_context(state.db.transaction())
        # Lent out but nobody waiting: a busy pool, not an overloaded one.
        for _ in range(3):
            await asyncio.sleep(monitor.interval_s)
            assert monitor.reason != "pool"
        waiting = asyncio.create_task(state.db.fetch_val(sa.select(1)))  # queues for a connection
        await until(lambda: state.db.pool_waiting() == 1)
        await until(lambda: monitor.reason == "pool")
        await check_shedding(app, client, market, "pool")
    assert await waiting == 1  # served once a connection came back


class TestMemory:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        # A limit this process is already over: the monitor must warn, then shed.
        return settings.model_copy(update={"MEMORY_LIMIT_BYTES": 32 * 1024 * 1024})

    async def test_memory_near_the_limit_warns_and_sheds(
        self, app: FastAPI, client: httpx.AsyncClient, market: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, "mercenary.overload")
        monitor = state_of(app).overload
        await until(lambda: monitor.reason == "memory")
        records = caplog.get_records("setup") + caplog.records  # the first sample may precede the test
        assert any("memory: resident" in r.getMessage() for r in records)
        await check_shedding(app, client, market, "memory")


class TestDisabled:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"SHED_ENABLED": False, "MEMORY_LIMIT_BYTES": 32 * 1024 * 1024})

    async def test_nothing_is_shed_when_shedding_is_off(
        self, app: FastAPI, client: httpx.AsyncClient, market: Any
    ) -> None:
        headers, _ = market
        await asyncio.sleep(0.1)  # several samples, each over the limit
        assert state_of(app).overload.reason is None
        for path in HEAVY:
            assert (await client.get(path, headers=headers)).status_code == 200
