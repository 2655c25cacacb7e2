"""The real job end to end: a review enqueues ``reviews.refresh_rating`` after commit, a worker
process recounts the reviewee's aggregate; and backpressure on the endpoint that feeds the queue."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.backends.queue import client as queue_client
from mercenary.backends.queue.client import build_message
from mercenary.backends.queue.tables import job_outbox
from mercenary.db import Database
from mercenary.reviews.service import REFRESH_RATING
from mercenary.reviews.tables import rating_aggregates as ra
from mercenary.settings import Settings
from mercenary.state import AppState
from tests.api.helpers import assert_problem
from tests.api.market.conftest import Market, bid, post_project
from tests.support.workers import WorkerProcess, wait_until


async def _closed(client: httpx.AsyncClient, market: Market) -> int:
    project = await post_project(client, market.a1)
    proposal = await bid(client, market.f1, project["id"])
    await client.post(f"/api/v1/proposals/{proposal['id']}/accept", headers=market.a1.headers)
    return int(project["id"])


def _review(project_id: int, reviewee_id: int, rating: int) -> dict[str, object]:
    return {"project_id": project_id, "reviewee_id": reviewee_id, "rating": rating, "text": "Fine."}


async def test_a_worker_recounts_a_drifted_rating_after_a_review(
    client: httpx.AsyncClient, market: Market, db: Database, settings: Settings, app: FastAPI, tmp_path: Path
) -> None:
    pid = await _closed(client, market)
    posted = await client.post(
        "/api/v1/reviews", json=_review(pid, market.f1.id, 4), headers=market.a1.headers
    )
    assert posted.status_code == 201, posted.text
    # The aggregate has drifted from the reviews (as after a bulk load or a hand fix).
    await db.execute(sa.update(ra).where(ra.c.user_id == market.f1.id).values(count=9, total=45, r4=0, r5=9))
    await app.state.mercenary.queue.drain()
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(job_outbox)) == 0  # sent at commit

    async def exact() -> bool:
        row = await db.fetch_one(
            sa.select(ra.c.count, ra.c.total, ra.c.r4).where(ra.c.user_id == market.f1.id)
        )
        return row == {"count": 1, "total": 4, "r4": 1}

    worker = await WorkerProcess.start(settings, tmp_path / "worker.log", modules=())
    try:
        await wait_until(exact, 30, "the recount")
    finally:
        assert await worker.stop() == 0
    rating = (await client.get(f"/api/v1/users/{market.f1.id}/rating", headers=market.f1.headers)).json()
    assert rating == {"count": 1, "mean": 4.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}}


async def test_a_full_queue_refuses_the_review_and_changes_nothing(
    client: httpx.AsyncClient, market: Market, db: Database, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = await _closed(client, market)  # its bid and acceptance queued their mail (default too)
    state: AppState = app.state.mercenary
    await state.queue.drain()  # those mails leave the outbox in the background: wait for them
    monkeypatch.setattr(queue_client, "DEPTH_TTL_S", 0)  # the depth read by the bid is not reused
    state.queue.max_depth = 1
    await state.queue.send(build_message(REFRESH_RATING, {"user_id": market.f2.id}, str(uuid.uuid4())))
    refused = await client.post(
        "/api/v1/reviews", json=_review(pid, market.f1.id, 5), headers=market.a1.headers
    )
    assert_problem(refused, 503, "queue_full")
    assert refused.headers["Retry-After"] == "30"
    reviews = await client.get(f"/api/v1/users/{market.f1.id}/reviews", headers=market.f1.headers)
    assert reviews.json()["items"] == []
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(ra)) == 0
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(job_outbox)) == 0
    assert await state.queue.depth("default") == 3  # the two mails and the job sent above
