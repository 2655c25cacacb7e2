"""The dialect-aware full-text match and skill resolution, below the HTTP layer, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from mercenary.db import Database, Query
from mercenary.db.fulltext import SEARCH_PARAM, SearchTarget, terms, text_match
from mercenary.db.metadata import utcnow
from mercenary.errors import EmptySearchError, InvalidRequestError
from mercenary.projects.tables import projects
from mercenary.skills.errors import UnknownSkillError
from mercenary.skills.service import resolve_skills, slugs_by_id
from mercenary.skills.tables import skill_aliases, skills

PROJECTS = SearchTarget(projects, "id", "fts_projects")


@pytest.fixture
async def corpus(db: Database) -> dict[str, int]:
    now = utcnow()
    async with db.transaction() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO organizations (name, kind, invitation_code, created_at) "
                "VALUES ('o', 'company', 'c', :t)"
            ).bindparams(t=now)
        )
        org = await conn.fetch_val(
            sa.select(sa.func.max(sa.column("id"))).select_from(sa.table("organizations"))
        )
        await conn.execute(
            sa.text(
                "INSERT INTO users (tenant_id, email, name, role, password_hash, is_active, created_at) "
                "VALUES (:o, 'e@example.com', 'n', 'client', 'h', true, :t)"
            ).bindparams(o=org, t=now)
        )
        owner = await conn.fetch_val(sa.select(sa.func.max(sa.column("id"))).select_from(sa.table("users")))
        ids = {}
        for key, title, description, status in (
            ("api", "Build a FastAPI service", "Python developers wanted for an async REST API", "open"),
            ("shop", "Redesign our online shop", "Designers with Figma and branding experience", "open"),
            ("both", "Python shop backend", "Django and python for the shop's checkout", "open"),
            ("draft", "Python draft", "python python python", "draft"),
        ):
            ids[key] = await conn.fetch_val(
                sa.insert(projects)
                .values(
                    tenant_id=org,
                    owner_id=owner,
                    title=title,
                    description=description,
                    budget=100,
                    status=status,
                    created_at=now,
                    updated_at=now,
                )
                .returning(projects.c.id)
            )
        await conn.execute(
            sa.update(projects).where(projects.c.id == ids["shop"]).values(title="Redesign our online store")
        )
    return ids


def _open_projects_matching(dialect_name: str) -> sa.Select[Any]:
    match = text_match(dialect_name, PROJECTS)
    return (
        sa.select(projects.c.id, match.rank.label("rank"))
        .select_from(match.source)
        .where(match.where, projects.c.status == "open")
        .order_by(match.rank.desc(), projects.c.id)
    )


SEARCH = Query("test.search", _open_projects_matching)


async def search(db: Database, text: str) -> list[int]:
    return [r["id"] for r in await db.fetch_all(SEARCH, **{SEARCH_PARAM: terms(text)})]


async def test_every_word_must_match_and_stems_count(db: Database, corpus: dict[str, int]) -> None:
    assert set(await search(db, "python")) == {corpus["api"], corpus["both"]}
    assert await search(db, "python shop") == [corpus["both"]]
    assert await search(db, "developer") == [corpus["api"]]  # stemmed: developers


async def test_updates_and_drafts_are_reflected(db: Database, corpus: dict[str, int]) -> None:
    assert await search(db, "store") == [corpus["shop"]]
    assert await search(db, "draft") == []


async def test_title_outranks_description(db: Database, corpus: dict[str, int]) -> None:
    ranked = await search(db, "shop")
    assert ranked[0] == corpus["both"]  # in the title and the description


async def test_user_text_is_never_syntax(db: Database, corpus: dict[str, int]) -> None:
    assert await search(db, 'python" OR NEAR(* -) AND') == []  # "or", "near", "and" are plain words here
    assert terms("C++ & Go; x") == ["go"]
    with pytest.raises(EmptySearchError):
        terms("!! ** ?")


async def test_skills_resolve_by_slug_or_alias(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as conn:
        py = await conn.fetch_val(
            sa.insert(skills)
            .values(slug="python", name="Python", category="dev", created_at=now)
            .returning(skills.c.id)
        )
        js = await conn.fetch_val(
            sa.insert(skills)
            .values(slug="javascript", name="JavaScript", category="dev", created_at=now)
            .returning(skills.c.id)
        )
        await conn.execute(sa.insert(skill_aliases).values(skill_id=js, alias="js"))
    assert await resolve_skills(db, ["Python", " js ", "python"]) == {"python": py, "js": js}
    assert await resolve_skills(db, []) == {}
    with pytest.raises(UnknownSkillError) as info:
        await resolve_skills(db, ["python", "cobol"])
    assert info.value.extra["unknown"] == ["cobol"]
    with pytest.raises(InvalidRequestError):
        await resolve_skills(db, [f"s{i}" for i in range(31)])
    assert await slugs_by_id(db, [js, py, 999]) == {py: "python", js: "javascript"}
    assert await slugs_by_id(db, []) == {}
