"""The PDF profile's renderer (worker only): the print template laid out by WeasyPrint."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.profiles import render
from mercenary.profiles.tables import profile_pdfs

CONTENT: dict[str, Any] = {
    "user_id": 7,
    "name": "Zo\u00eb \u5c71\u7530 \u0418\u0432\u0430\u043d\u043e\u0432\u0430",
    "headline": "Backends & <data> pipelines",
    "bio": 'Line one.\n<img src="file:///etc/passwd"> <link rel=stylesheet href="http://127.0.0.1:1/x.css">',
    "hourly_rate": 80,
    "availability": "available",
    "skills": ["python", "postgresql"],
    "rating": {"count": 2, "mean": 4.5, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}},
}


def test_a_profile_renders_to_a_pdf_with_its_metadata() -> None:
    pdf = render.render_profile(CONTENT)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) < 200_000  # fonts are subset: a one-page profile stays small


def test_the_template_escapes_every_value_and_loads_nothing() -> None:
    html = render._template().render(**CONTENT)
    assert "&lt;img src=" in html and "<img" not in html and "<link rel=stylesheet" not in html
    assert "Backends &amp; &lt;data&gt; pipelines" in html
    with pytest.raises(ValueError, match="loads no resources"):
        render._fetch_nothing("file:///etc/passwd")


def test_a_profile_without_reviews_or_skills() -> None:
    bare = {**CONTENT, "skills": [], "bio": "", "rating": {"count": 0, "mean": None, "distribution": {}}}
    html = render._template().render(**bare)
    assert "no reviews yet" in html and "None listed." in html and "About" not in html
    assert "<p>Line one.</p>" in render._template().render(**CONTENT)  # a paragraph per line
    assert render.render_profile(bare).startswith(b"%PDF-")


async def test_the_job_renders_once_per_version_and_skips_a_missing_profile(app: FastAPI) -> None:
    """The handler in process (a worker runs the same function): a profile gone is nothing to
    render; a second run of the same version stores nothing new."""
    from mercenary.profiles import pdf
    from mercenary.profiles.jobs import render_pdf

    state = app.state.mercenary
    await render_pdf(state, 10**9)
    assert await state.db.fetch_val(sa.select(sa.func.count()).select_from(profile_pdfs)) == 0
    user_id = await _freelancer_with_profile(state)
    await render_pdf(state, user_id)
    _, version = await pdf.document(state.db, user_id)
    first = await state.db.fetch_one(sa.select(profile_pdfs).where(profile_pdfs.c.user_id == user_id))
    assert first is not None and first["version"] == version
    stored = b"".join([chunk async for chunk in await state.blobs.open(first["blob_key"])])
    assert stored.startswith(b"%PDF-") and len(stored) == first["size"]
    await render_pdf(state, user_id)
    again = await state.db.fetch_one(sa.select(profile_pdfs).where(profile_pdfs.c.user_id == user_id))
    assert again == first  # same version: not rendered again (rendered_at unchanged)
    # Another version replaces the file, and the previous one is deleted.
    await state.db.execute(sa.update(profile_pdfs).values(version="0" * 32))
    await render_pdf(state, user_id)
    newer = await state.db.fetch_one(sa.select(profile_pdfs).where(profile_pdfs.c.user_id == user_id))
    assert newer is not None and newer["version"] == version and newer["blob_key"] != first["blob_key"]
    assert [key async for key in state.blobs.iter_keys()] == [newer["blob_key"]]


async def _freelancer_with_profile(state: Any) -> int:
    from mercenary.db.metadata import utcnow
    from mercenary.profiles.tables import freelancer_profiles
    from mercenary.tenants.service import create_organization
    from mercenary.users.tables import users

    now = utcnow()
    async with state.db.transaction() as conn:
        org = await create_organization(conn, name="Solo", kind="personal")
        user_id = await conn.fetch_val(
            sa.insert(users)
            .values(
                tenant_id=org["id"],
                email="solo@example.com",
                name="Solo",
                role="freelancer",
                password_hash="x",
                created_at=now,
            )
            .returning(users.c.id)
        )
        await conn.execute(
            sa.insert(freelancer_profiles).values(
                user_id=user_id,
                tenant_id=org["id"],
                headline="Solo dev",
                bio="",
                hourly_rate=50,
                availability="available",
                updated_at=now,
            )
        )
    return int(user_id)


async def test_renders_run_in_a_capped_render_process_and_a_dead_one_is_replaced() -> None:
    """The worker lays PDFs out in a render process of its own (render_pool.py): its address space
    is capped; when it dies, the render under way fails (the job is retried) and the next one gets
    a fresh process."""
    import os
    import signal

    from mercenary.profiles.render_pool import RenderFailedError, RenderPool

    pool = RenderPool(1, memory_mb=400, renders_per_process=100)
    try:
        assert (await pool.render(CONTENT)).startswith(b"%PDF-")
        [pid] = list(pool._executor._processes)  # type: ignore[union-attr]
        assert pid != os.getpid()
        with open(f"/proc/{pid}/limits") as limits:
            address_space = next(line for line in limits if line.startswith("Max address space"))
        assert address_space.split()[3:5] == [str(400 * 2**20)] * 2  # soft and hard
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(RenderFailedError, match="died"):
            for _ in range(50):  # until the pool has noticed its process is gone
                await pool.render(CONTENT)
        assert (await pool.render(CONTENT)).startswith(b"%PDF-")
        [fresh] = list(pool._executor._processes)  # type: ignore[union-attr]
        assert fresh != pid
    finally:
        pool.close()
