"""Notification mail end to end (JOB-6): a bid mails the project's owner, an acceptance mails the
freelancer, through a real worker process and a real SMTP server (aiosmtpd on a loopback port);
the requests never wait for it. On SQLite with the embedded queue, on PostgreSQL with Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.backends.queue import JobQueue
from mercenary.backends.queue.client import build_message
from mercenary.db import Database
from mercenary.proposals.service import NOTIFY_RECEIVED
from mercenary.proposals.tables import proposal_notices
from mercenary.settings import Settings
from tests.api.market.conftest import Market, bid, post_project
from tests.support.smtp import SmtpServer
from tests.support.workers import WorkerProcess, wait_for, wait_until


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


async def test_a_bid_mails_the_owner_and_an_acceptance_the_freelancer(
    client: httpx.AsyncClient,
    market: Market,
    db: Database,
    settings: Settings,
    smtp: SmtpServer,
    tmp_path: Path,
) -> None:
    # No worker yet, and the mail server is up: the requests answer without sending anything.
    project = await post_project(client, market.a1, title="Shop \u00e0 la carte")
    proposal = await bid(client, market.f1, project["id"], price=4200)
    accepted = await client.post(f"/api/v1/proposals/{proposal['id']}/accept", headers=market.a1.headers)
    assert accepted.status_code == 200, accepted.text
    assert smtp.received == []

    worker_settings = settings.model_copy(
        update={"MAIL_URL": smtp.url, "MAIL_FROM": "Mercenary <jobs@m.test>"}
    )
    worker = await WorkerProcess.start(worker_settings, tmp_path / "worker.log", modules=())
    try:
        await wait_for(lambda: len(smtp.received) >= 2, 30, "two mails")
    finally:
        assert await worker.stop() == 0
    by_recipient = {to[0]: message for _, to, message in smtp.received}
    assert sorted(by_recipient) == ["a1@a.example.com", "f1@f.example.com"]
    received = by_recipient["a1@a.example.com"]
    assert received["Subject"] == "New proposal on \u201cShop \u00e0 la carte\u201d"
    assert received["From"] == "Mercenary <jobs@m.test>"
    assert received["Message-ID"] == f"<proposal-{proposal['id']}-received@m.test>"
    body = received.get_content()
    assert "sent a proposal" in body and "4200" in body and "I have built many shops." in body
    won = by_recipient["f1@f.example.com"]
    assert won["Subject"] == "Your proposal on \u201cShop \u00e0 la carte\u201d was accepted"
    assert won["Message-ID"] == f"<proposal-{proposal['id']}-accepted@m.test>"
    notices = await db.fetch_all(sa.select(proposal_notices.c.proposal_id, proposal_notices.c.kind))
    assert sorted((n["proposal_id"], n["kind"]) for n in notices) == [
        (proposal["id"], "accepted"),
        (proposal["id"], "received"),
    ]
    assert "Traceback" not in worker.log()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_job_run_again_sends_no_second_mail(
    client: httpx.AsyncClient,
    market: Market,
    app: FastAPI,
    settings: Settings,
    smtp: SmtpServer,
    tmp_path: Path,
) -> None:
    """At least once, mailed once: a notice already recorded is not sent again (a relay racing the
    commit, a requeued dead letter); a withdrawn bid is no news to its owner; a proposal gone is
    nothing to mail."""
    project = await post_project(client, market.a1)
    first = await bid(client, market.f1, project["id"])
    withdrawn = await bid(client, market.f2, project["id"])
    gone = await client.post(f"/api/v1/proposals/{withdrawn['id']}/withdraw", headers=market.f2.headers)
    assert gone.status_code == 200
    queue = app.state.mercenary.queue
    worker_settings = settings.model_copy(update={"MAIL_URL": smtp.url})
    worker = await WorkerProcess.start(worker_settings, tmp_path / "worker.log", modules=())
    try:
        await wait_for(lambda: len(smtp.received) >= 1, 30, "the first mail")
        await wait_until(lambda: _idle(queue), 30, "the other job")
        await queue.send(build_message(NOTIFY_RECEIVED, {"proposal_id": first["id"]}, str(uuid.uuid4())))
        await queue.send(build_message(NOTIFY_RECEIVED, {"proposal_id": 10**9}, str(uuid.uuid4())))
        await wait_until(lambda: _idle(queue), 30, "the repeated jobs")
    finally:
        assert await worker.stop() == 0
    assert [to for _, to, _ in smtp.received] == [["a1@a.example.com"]]
    assert "Traceback" not in worker.log()


async def _idle(queue: JobQueue) -> bool:
    return await queue.depth("default") == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_handlers_in_process_with_the_default_file_mailer(
    client: httpx.AsyncClient, market: Market, app: FastAPI, db: Database, settings: Settings
) -> None:
    """The handlers a worker runs, called here: the embedded default writes ``.eml`` files beside
    the database; nothing is mailed about a proposal gone or to a deactivated account."""
    from mercenary.proposals.jobs import notify_accepted, notify_received
    from mercenary.users.tables import users

    state = app.state.mercenary
    project = await post_project(client, market.a1)
    proposal = await bid(client, market.f1, project["id"])
    accepted = await client.post(f"/api/v1/proposals/{proposal['id']}/accept", headers=market.a1.headers)
    assert accepted.status_code == 200
    mail_dir = Path(settings.mail_url.removeprefix("file:"))
    await notify_accepted(state, 10**9)  # no such proposal
    await db.execute(sa.update(users).where(users.c.id == market.a1.id).values(is_active=False))
    await notify_received(state, proposal["id"])  # the owner was deactivated
    assert not mail_dir.exists()
    await notify_accepted(state, proposal["id"])
    await notify_accepted(state, proposal["id"])  # recorded: not written again
    [eml] = list(mail_dir.iterdir())
    assert eml.name == f"proposal-{proposal['id']}-accepted@mercenary.localhost.eml"
    await db.execute(sa.update(users).where(users.c.id == market.f1.id).values(is_active=False))
    await db.execute(sa.delete(proposal_notices))
    await notify_accepted(state, proposal["id"])  # the freelancer was deactivated meanwhile
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(proposal_notices)) == 0


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_mail_waits_in_the_queue_while_the_server_is_down(
    client: httpx.AsyncClient, market: Market, app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    """The server down: the job fails, the mail breaker opens (and /ready says so), the message
    waits; once the server is back, a retry (10-20 s later, with backoff) delivers it once."""
    server = SmtpServer()  # its port is chosen; nothing listens yet
    worker_settings = settings.model_copy(update={"MAIL_URL": server.url, "MAIL_BREAKER_OPEN_S": 2})
    worker = await WorkerProcess.start(worker_settings, tmp_path / "worker.log", modules=())
    try:
        project = await post_project(client, market.a1)
        proposal = await bid(client, market.f1, project["id"])

        async def breaker_open() -> bool:
            ready = (await client.get("/ready")).json()
            return bool(ready["breakers"]["mail"]["state"] in ("open", "half_open"))

        await wait_until(breaker_open, 30, "the mail breaker to open")
        assert (await client.get("/ready")).json()["status"] == "ready"  # fails open
        server.start()
        await wait_for(lambda: len(server.received) >= 1, 60, "the retried mail")

        async def breaker_closed() -> bool:
            return bool((await client.get("/ready")).json()["breakers"]["mail"]["state"] == "closed")

        await wait_until(breaker_closed, 10, "the mail breaker to close")
    finally:
        assert await worker.stop() == 0
        server.stop()
    [(_, to, message)] = server.received
    assert to == ["a1@a.example.com"] and message["Message-ID"].startswith(f"<proposal-{proposal['id']}-")
