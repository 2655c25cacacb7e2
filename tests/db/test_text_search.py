"""The dialect-aware full-text match, the index of open projects and its upkeep, the bounded ranking,
and skill resolution, below the HTTP layer, on both backends."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from mercenary.db import Database, Query
from mercenary.db.fulltext import SEARCH_PARAM, SearchTarget, terms, text_match
from mercenary.db.keyset import Keyset
from mercenary.db.metadata import utcnow
from mercenary.errors import EmptySearchError, InvalidRequestError
from mercenary.projects import listing
from mercenary.projects.tables import projects
from mercenary.security.principal import Principal
from mercenary.skills.errors import UnknownSkillError
from mercenary.skills.service import resolve_skills, slugs_by_id
from mercenary.skills.tables import skill_aliases, skills

# Every project (filtered to the open ones here), and the index of the open ones alone.
TARGETS = (listing.ALL_PROJECTS, listing.OPEN_PROJECTS)


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


def _open_projects_matching(target: SearchTarget, dialect_name: str) -> sa.Select[Any]:
    match = text_match(dialect_name, target)
    stmt = sa.select(match.key.label("id"), match.rank.label("rank")).select_from(match.source)
    if not target.partial:
        stmt = stmt.where(projects.c.status == "open")
    return stmt.where(match.where).order_by(match.rank.desc(), match.key)


SEARCHES = {
    t.fts_table: Query(f"test.search.{t.fts_table}", functools.partial(_open_projects_matching, t))
    for t in TARGETS
}


@pytest.fixture(params=[t.fts_table for t in TARGETS])
def target(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def search(db: Database, text: str, target: str = "fts_open_projects") -> list[int]:
    return [r["id"] for r in await db.fetch_all(SEARCHES[target], **{SEARCH_PARAM: terms(text)})]


async def test_every_word_must_match_and_stems_count(
    db: Database, corpus: dict[str, int], target: str
) -> None:
    assert set(await search(db, "python", target)) == {corpus["api"], corpus["both"]}
    assert await search(db, "python shop", target) == [corpus["both"]]
    assert await search(db, "developer", target) == [corpus["api"]]  # stemmed: developers


async def test_updates_and_drafts_are_reflected(db: Database, corpus: dict[str, int], target: str) -> None:
    assert await search(db, "store", target) == [corpus["shop"]]
    assert await search(db, "draft", target) == []


async def test_title_outranks_description(db: Database, corpus: dict[str, int], target: str) -> None:
    ranked = await search(db, "shop", target)
    assert ranked[0] == corpus["both"]  # in the title and the description


async def test_user_text_is_never_syntax(db: Database, corpus: dict[str, int], target: str) -> None:
    assert await search(db, 'python" OR NEAR(* -) AND', target) == []  # "or", "near", "and": plain words
    assert terms("C++ & Go; x") == ["go"]
    with pytest.raises(EmptySearchError):
        terms("!! ** ?")


async def open_index(db: Database) -> set[int]:
    """The ids the index of open projects holds (SQLite: also checks it against its content, the view
    of the open projects, with FTS5's integrity-check)."""
    if db.dialect.name == "postgresql":
        vectors = "SELECT count(*) FROM fts_open_projects f JOIN projects p USING (id) "
        vectors += "WHERE f.search_vector IS DISTINCT FROM p.search_vector"
        assert await db.fetch_val(sa.text(vectors)) == 0
        return await _ids(db, "fts_open_projects")
    async with db.transaction() as conn:
        await conn.execute(
            sa.text("INSERT INTO fts_open_projects(fts_open_projects, rank) VALUES ('integrity-check', 1)")
        )
    return await _ids(db, "fts_open_projects_docsize")  # one row per indexed project


async def _ids(db: Database, table: str) -> set[int]:
    return {r["id"] for r in await db.fetch_all(sa.select(sa.column("id")).select_from(sa.table(table)))}


async def open_ids(db: Database) -> set[int]:
    return {r["id"] for r in await db.fetch_all(sa.select(projects.c.id).where(projects.c.status == "open"))}


async def change(db: Database, project_id: int, **values: Any) -> None:
    async with db.transaction() as conn:
        await conn.execute(sa.update(projects).where(projects.c.id == project_id).values(**values))


async def test_the_open_index_holds_the_open_projects_only(db: Database, corpus: dict[str, int]) -> None:
    assert await open_index(db) == await open_ids(db) == {corpus[k] for k in ("api", "shop", "both")}
    await change(db, corpus["draft"], status="open", title="Python draft, now open")
    assert await search(db, "python draft") == [corpus["draft"]]
    await change(db, corpus["api"], status="closed")
    assert corpus["api"] not in await search(db, "python")
    await change(db, corpus["shop"], title="Redesign our online boutique")
    assert await search(db, "store") == [] and await search(db, "boutique") == [corpus["shop"]]
    await change(db, corpus["both"], budget=999, title="Python shop backend")  # text as it was
    assert await search(db, "python shop") == [corpus["both"]]
    await change(db, corpus["both"], status="cancelled")
    async with db.transaction() as conn:
        await conn.execute(sa.delete(projects).where(projects.c.id == corpus["draft"]))
    assert await open_index(db) == await open_ids(db) == {corpus["shop"]}
    assert await search(db, "python") == []


@pytest.fixture
def ranked_matches() -> Iterator[None]:
    """Rank at most two matches: the search statements are built again with the smaller window."""
    saved = listing.RANKED_MATCHES
    listing.RANKED_MATCHES = 2
    listing._by_relevance.cache_clear()
    yield
    listing.RANKED_MATCHES = saved
    listing._by_relevance.cache_clear()


async def test_only_the_newest_matches_are_ranked(
    db: Database, corpus: dict[str, int], ranked_matches: None
) -> None:
    # "python" matches api, both and draft (opened here), oldest first; api, the oldest, would rank
    # first (three times in its title).
    await change(db, corpus["api"], title="Python, python and python")
    await change(db, corpus["draft"], status="open", description="A python script.")
    principal = Principal(user_id=1, tenant_id=1, role="freelancer")

    async def pages() -> list[int]:
        seen: list[int] = []
        after = None
        while True:
            f = listing.ProjectFilter(text="python")
            page = await listing.list_projects(db, principal, f, Keyset(after, 1))
            seen += [r["id"] for r in page.items]
            if page.next_after is None:
                return seen
            after = page.next_after

    assert await pages() == [corpus["draft"], corpus["both"]]  # the two newest, by relevance
    listing.RANKED_MATCHES = 3
    listing._by_relevance.cache_clear()
    assert await pages() == [corpus["api"], corpus["draft"], corpus["both"]]


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
