"""CVs end to end (DOM-4): uploads as versions, parsed by a real worker into skills, hostile files
ending ``failed`` with a reason, accepting skills onto the profile, and shares with organizations."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.backends.queue.client import build_message
from mercenary.backends.queue.tables import job_dead_letters
from mercenary.cvs import jobs, samples
from mercenary.cvs import service as cvs
from mercenary.cvs.tables import cv_skills, cv_versions
from mercenary.cvs.tables import cvs as cv_table
from mercenary.db import Database
from mercenary.settings import Settings
from mercenary.state import AppState
from tests.api.helpers import assert_problem
from tests.api.market.conftest import Actor, Market
from tests.cvs.documents import pdf_bomb
from tests.support.workers import WorkerProcess, wait_until

UPLOAD = "/api/v1/freelancers/me/cv"
DOCX_LINES = ("Bo Example - full-stack developer", "Django and React for eight years; some Rust.")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test's blobs in a folder of its own."""
    return settings.model_copy(update={"BLOB_URL": f"file:///{tmp_path}/blobs"})


def blobs(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "blobs"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


async def upload(client: httpx.AsyncClient, actor: Actor, data: bytes, name: str) -> httpx.Response:
    return await client.post(
        UPLOAD, files={"file": (name, data, "application/octet-stream")}, headers=actor.headers
    )


async def uploaded(client: httpx.AsyncClient, actor: Actor, data: bytes, name: str) -> dict[str, Any]:
    response = await upload(client, actor, data, name)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def read(client: httpx.AsyncClient, actor: Actor, cv_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/cvs/{cv_id}", headers=actor.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def settled(client: httpx.AsyncClient, actor: Actor, cv_id: int, versions: int) -> dict[str, Any]:
    """The CV once its newest ``versions`` versions are parsed or failed (30 s at most)."""
    seen: dict[str, Any] = {}

    async def done() -> bool:
        seen.update(await read(client, actor, cv_id))
        return all(v["status"] != "pending" for v in seen["versions"][:versions])

    await wait_until(done, 30, "the parse")
    return seen


async def test_a_worker_parses_pdf_and_docx_versions_into_skills(
    client: httpx.AsyncClient, market: Market, settings: Settings, tmp_path: Path
) -> None:
    pdf = samples.pdf(2)
    first = await uploaded(client, market.f1, pdf, "Ada CV.pdf")
    assert first["version"] == 1 and first["status"] == "pending"
    pending = await read(client, market.f1, first["id"])
    assert pending["status"] == "pending" and pending["skills"] == []
    second = await uploaded(client, market.f1, samples.docx(1, DOCX_LINES), "ada.docx")
    assert (second["id"], second["version"]) == (first["id"], 2)  # one CV, a new version

    worker = await WorkerProcess.start(settings, tmp_path / "worker.log", modules=())
    try:
        cv = await settled(client, market.f1, first["id"], 2)
    finally:
        assert await worker.stop() == 0
    assert "parsed: 2 pages" in worker.log()
    newest, oldest = cv["versions"]
    assert (cv["status"], cv["version_count"], cv["shared_with"]) == ("parsed", 2, [])
    assert cv["skills"] == newest["skills"] == ["django", "react", "rust"]
    assert oldest["skills"] == ["postgresql", "python"]
    assert (oldest["number"], oldest["status"], oldest["pages"], oldest["failure"]) == (1, "parsed", 2, None)
    assert oldest["filename"].endswith(".pdf") and oldest["media_type"] == "application/pdf"
    assert (oldest["size"], oldest["sha256"]) == (len(pdf), hashlib.sha256(pdf).hexdigest())
    assert newest["media_type"].endswith("wordprocessingml.document") and newest["pages"] == 1

    # Accepting skills: onto a profile, all the newest version's or some of them.
    accept = f"/api/v1/cvs/{first['id']}/skills/accept"
    assert_problem(await client.post(accept, json={}, headers=market.f1.headers), 409, "profile_required")
    profile = {"headline": "Developer", "hourly_rate": 80, "skills": ["design"]}
    put = await client.put(
        f"/api/v1/freelancers/{market.f1.id}/profile", json=profile, headers=market.f1.headers
    )
    assert put.status_code == 200, put.text
    some = await client.post(accept, json={"skills": ["react"]}, headers=market.f1.headers)
    assert some.status_code == 200 and some.json()["skills"] == ["design", "react"]
    not_proposed = await client.post(accept, json={"skills": ["py"]}, headers=market.f1.headers)
    assert_problem(not_proposed, 422, "skill_not_proposed")
    everything = await client.post(accept, json={}, headers=market.f1.headers)
    assert everything.json()["skills"] == ["design", "django", "react", "rust"]
    again = await client.post(accept, json={}, headers=market.f1.headers)  # nothing more to add
    assert again.json()["skills"] == ["design", "django", "react", "rust"]


@pytest.mark.slow
async def test_hostile_files_end_failed_with_a_reason_and_the_worker_goes_on(
    client: httpx.AsyncClient, market: Market, settings: Settings, db: Database, tmp_path: Path
) -> None:
    pages = await uploaded(client, market.f1, samples.pdf(5), "long.pdf")
    bomb = await uploaded(client, market.f1, pdf_bomb(50), "bomb.pdf")
    strict = settings.model_copy(update={"CV_PARSE_MAX_PAGES": 3})
    worker = await WorkerProcess.start(strict, tmp_path / "worker.log", modules=())
    try:
        cv = await settled(client, market.f1, pages["id"], 2)
    finally:
        assert await worker.stop() == 0
    failures = {v["number"]: v["failure"] for v in cv["versions"]}
    assert {v["status"] for v in cv["versions"]} == {"failed"} and cv["skills"] == []
    assert failures[pages["version"]] == {
        "code": "too_many_pages",
        "message": "The document has 5 pages; at most 3 are read.",
    }
    assert failures[bomb["version"]]["code"] == "parser_crashed"  # PDFium aborted under RLIMIT_AS
    assert "needs more than 256 MB" in failures[bomb["version"]]["message"]

    slow = await uploaded(client, market.f1, pdf_bomb(200), "slow.pdf")
    fine = await uploaded(client, market.f1, samples.pdf(1), "fine.pdf")
    hasty = settings.model_copy(update={"CV_PARSE_TIMEOUT_S": 0.5, "CV_PARSE_MEMORY_MB": 4096})
    worker = await WorkerProcess.start(hasty, tmp_path / "worker2.log", modules=())
    try:
        cv = await settled(client, market.f1, slow["id"], 2)
    finally:
        assert await worker.stop() == 0
    newest, timed_out = cv["versions"][:2]
    assert timed_out["failure"] == {"code": "timeout", "message": "Parsing took longer than 0.5 s."}
    assert (newest["number"], newest["status"]) == (fine["version"], "parsed")
    # A document that breaks a limit is a result, not an error: nothing was retried or dead-lettered.
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(job_dead_letters)) == 0


async def test_shares_grant_and_revoke_what_organizations_see(
    client: httpx.AsyncClient, market: Market
) -> None:
    cv = await uploaded(client, market.f1, samples.pdf(1), "cv.pdf")
    url, headers = f"/api/v1/cvs/{cv['id']}", market.f1.headers
    org_a = (await client.get("/api/v1/organizations/current", headers=market.a1.headers)).json()["id"]
    f2_org = (await client.get("/api/v1/organizations/current", headers=market.f2.headers)).json()["id"]
    for outsider in (market.a1, market.b1, market.f2):
        assert_problem(await client.get(url, headers=outsider.headers), 404, "cv_not_found")
    assert_problem(await client.get("/api/v1/cvs/999999", headers=headers), 404, "cv_not_found")

    assert (await client.put(f"{url}/shares/{org_a}", headers=headers)).status_code == 204
    assert (await client.put(f"{url}/shares/{org_a}", headers=headers)).status_code == 204  # one grant
    for member in (market.a1, market.a2):
        seen = await read(client, member, cv["id"])
        assert seen["id"] == cv["id"] and seen["shared_with"] is None  # the owner's business
    assert (await read(client, market.f1, cv["id"]))["shared_with"] == [org_a]
    assert_problem(await client.get(url, headers=market.b1.headers), 404, "cv_not_found")
    # Only the owner shares, and only with a client's organization that exists.
    assert_problem(await client.put(f"{url}/shares/{org_a}", headers=market.a1.headers), 404, "cv_not_found")
    assert_problem(await client.put(f"{url}/shares/{f2_org}", headers=headers), 404, "share_not_found")
    assert_problem(await client.put(f"{url}/shares/999999", headers=headers), 404, "share_not_found")
    assert_problem(
        await client.delete(f"{url}/shares/{org_a}", headers=market.a1.headers), 404, "cv_not_found"
    )

    assert (await client.delete(f"{url}/shares/{org_a}", headers=headers)).status_code == 204
    assert_problem(await client.get(url, headers=market.a1.headers), 404, "cv_not_found")
    assert_problem(await client.delete(f"{url}/shares/{org_a}", headers=headers), 404, "share_not_found")
    # Skills wait for a parsed version.
    assert_problem(await client.post(f"{url}/skills/accept", json={}, headers=headers), 409, "cv_not_parsed")


async def test_refused_uploads_change_nothing_and_store_nothing(
    client: httpx.AsyncClient, market: Market, app: FastAPI, db: Database, tmp_path: Path
) -> None:
    assert_problem(await upload(client, market.a1, samples.pdf(1), "cv.pdf"), 403, "permission_denied")
    assert_problem(await upload(client, market.f1, b"", "cv.pdf"), 422, "empty_file")
    disguised = await upload(client, market.f1, samples.pdf(1), "cv.docx")  # a PDF named .docx
    assert disguised.status_code == 415, disguised.text
    # The queue is full: the upload is refused after its file was stored, and the file goes again.
    state: AppState = app.state.mercenary
    state.queue.max_depth = 1
    await state.queue.send(build_message(cvs.PARSE, {"version_id": 0}, str(uuid.uuid4())))
    full = await upload(client, market.f1, samples.pdf(1), "cv.pdf")
    assert_problem(full, 503, "queue_full")
    for table in (cv_table, cv_versions):
        assert await db.fetch_val(sa.select(sa.func.count()).select_from(table)) == 0
    assert blobs(tmp_path) == []


async def test_the_parse_job_is_idempotent(
    client: httpx.AsyncClient, market: Market, app: FastAPI, db: Database, tmp_path: Path
) -> None:
    """Run in this process: a second run, or a run racing one that finished, changes nothing; a
    version whose file is gone fails with a reason."""
    state: AppState = app.state.mercenary
    cv = await uploaded(client, market.f1, samples.pdf(1), "cv.pdf")
    version_id = await db.fetch_val(sa.select(cv_versions.c.id).where(cv_versions.c.number == 1))
    await jobs.parse(state, version_id=version_id)
    await jobs.parse(state, version_id=version_id)
    async with db.transaction() as conn:
        late = await cvs.store_parsed(conn, version_id, text="late", pages=9, skill_ids={1, 2, 3})
    assert late is False
    parsed = await read(client, market.f1, cv["id"])
    assert parsed["versions"][0]["pages"] == 1 and parsed["skills"] == ["postgresql", "python"]
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(cv_skills)) == 2

    second = await uploaded(client, market.f1, samples.pdf(1), "cv.pdf")
    for blob in blobs(tmp_path):
        blob.unlink()
    second_id = await db.fetch_val(
        sa.select(cv_versions.c.id).where(cv_versions.c.number == second["version"])
    )
    await jobs.parse(state, version_id=second_id)
    await jobs.parse(state, version_id=424242)  # a version that is gone: nothing to do
    missing = (await read(client, market.f1, cv["id"]))["versions"][0]
    assert missing["failure"] == {"code": "missing_file", "message": "The uploaded file is no longer stored."}
    async with db.transaction() as conn:
        assert await cvs.store_failed(conn, second_id, code="timeout", message="late") is False
