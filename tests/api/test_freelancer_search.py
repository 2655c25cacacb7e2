"""Listing and searching freelancers: keyset pages, skill filters, relevance, statement counts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.catalog import admin_headers, create_taxonomy, freelancer, profile_body
from tests.api.helpers import assert_problem
from tests.support.statements import count_statements

PROFILES = [
    ("Python backend developer", "Django APIs and data pipelines.", ["python", "django"]),
    ("Frontend engineer", "React interfaces; some Python scripting.", ["javascript", "react", "python"]),
    ("Product designer", "Figma prototypes and design systems.", ["figma"]),
    ("Systems programmer", "Rust services, a little Python and Django.", ["rust", "python", "django"]),
    ("Full-stack developer", "Django backends with React frontends.", ["python", "django", "react", "js"]),
    ("Illustrator", "Editorial drawings.", []),
]


@pytest.fixture
async def world(app: FastAPI, client: httpx.AsyncClient) -> dict[str, Any]:
    admin = await admin_headers(app, client)
    await create_taxonomy(client, admin)
    ids = []
    for n, (headline, bio, skills) in enumerate(PROFILES):
        user_id, headers = await freelancer(client, f"f{n}@example.com")
        body = profile_body(headline=headline, bio=bio, skills=skills)
        assert (
            await client.put(f"/api/v1/freelancers/{user_id}/profile", json=body, headers=headers)
        ).status_code == 200
        ids.append(user_id)
    await freelancer(client, "noprofile@example.com")
    return {"ids": ids, "headers": admin}


async def collect(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[list[int]]:
    """Every page of a list, as lists of user ids."""
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append([item["user_id"] for item in page["items"]])
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return pages
        cursor = page["next_cursor"]


def flat(pages: list[list[int]]) -> list[int]:
    return [user_id for page in pages for user_id in page]


async def test_list_in_user_id_pages(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    pages = await collect(client, "/api/v1/freelancers", world["headers"], limit=4)
    assert pages == [world["ids"][:4], world["ids"][4:]]
    first = (await client.get("/api/v1/freelancers", headers=world["headers"])).json()["items"][0]
    assert first["name"] == "f0" and first["skills"] == ["django", "python"] and "rank" not in first


async def test_skills_filter_means_all_of_them(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    ids, headers = world["ids"], world["headers"]
    cases = [
        ("python", [0, 1, 3, 4]),
        ("py,django", [0, 3, 4]),
        ("django, PYTHON ,react", [4]),
        ("figma,rust", []),
    ]
    for skills, expected in cases:
        pages = await collect(client, "/api/v1/freelancers", headers, skills=skills, limit=2)
        assert flat(pages) == [ids[i] for i in expected], skills
    bad = await client.get("/api/v1/freelancers", params={"skills": "python,cobol"}, headers=headers)
    assert assert_problem(bad, 422, "unknown_skill")["unknown"] == ["cobol"]
    too_many = ",".join(["python"] * 11)
    assert_problem(
        await client.get("/api/v1/freelancers", params={"skills": too_many}, headers=headers),
        422,
        "invalid_request",
    )
    nul = await client.get("/api/v1/freelancers", params={"skills": "py\x00"}, headers=headers)
    assert_problem(nul, 422, "unknown_skill")


async def test_search_ranks_by_relevance(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    ids, headers = world["ids"], world["headers"]
    for path in ("/api/v1/freelancers", "/api/v1/search/freelancers"):
        found = flat(await collect(client, path, headers, q="python"))
        # The headline match outranks bio mentions; every match appears once.
        assert found[0] == ids[0] and sorted(found) == sorted([ids[0], ids[1], ids[3]])
        stemmed = flat(await collect(client, path, headers, q="Developers!", limit=1))
        assert sorted(stemmed) == sorted([ids[0], ids[4]])
        narrowed = flat(await collect(client, path, headers, q="python", skills="django"))
        assert sorted(narrowed) == sorted([ids[0], ids[3]])
        assert flat(await collect(client, path, headers, q="cobol")) == []


async def test_search_pages_are_stable(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    headers = world["headers"]
    whole = flat(await collect(client, "/api/v1/search/freelancers", headers, q="django"))
    paged = await collect(client, "/api/v1/search/freelancers", headers, q="django", limit=1)
    assert len(paged) == 3 and flat(paged) == whole


async def test_cursors_are_bound_to_their_list(
    app: FastAPI, client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    headers = world["headers"]
    search = await client.get(
        "/api/v1/search/freelancers", params={"q": "python", "limit": 1}, headers=headers
    )
    listing = await client.get("/api/v1/freelancers", params={"limit": 1}, headers=headers)
    search_cursor, list_cursor = search.json()["next_cursor"], listing.json()["next_cursor"]
    tampered = list_cursor[:-2] + ("A" if list_cursor[-2] != "A" else "B") + list_cursor[-1]
    for params in (
        {"q": "django", "cursor": search_cursor},
        {"cursor": search_cursor},
        {"q": "python", "cursor": list_cursor},
        {"cursor": tampered},
        {"cursor": "garbage!"},
    ):
        response = await client.get("/api/v1/freelancers", params=params, headers=headers)
        assert_problem(response, 400, "invalid_cursor")
    codec = app.state.mercenary.cursors
    for params in (
        {"cursor": codec.encode("freelancers.list", ["x"])},
        {"q": "python", "cursor": codec.encode("freelancers.search:python", [1])},
    ):
        response = await client.get("/api/v1/freelancers", params=params, headers=headers)
        assert_problem(response, 400, "invalid_cursor")
    same_words = await client.get(
        "/api/v1/freelancers", params={"q": "PYTHON!", "cursor": search_cursor}, headers=headers
    )
    assert same_words.status_code == 200


async def test_bad_list_parameters(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    headers = world["headers"]
    cases: list[tuple[str, dict[str, str | int], int, str]] = [
        ("/api/v1/freelancers", {"limit": 101}, 422, "validation_error"),
        ("/api/v1/freelancers", {"limit": 0}, 422, "validation_error"),
        ("/api/v1/freelancers", {"q": "!!"}, 422, "empty_search"),
        ("/api/v1/freelancers", {"q": "x" * 201}, 422, "validation_error"),
        ("/api/v1/freelancers", {"fields": "user_id,email"}, 422, "unknown_field"),
        ("/api/v1/search/freelancers", {}, 422, "validation_error"),
        ("/api/v1/search/freelancers", {"q": "  "}, 422, "empty_search"),
    ]
    for path, params, status, code in cases:
        assert_problem(await client.get(path, params=params, headers=headers), status, code)
    assert_problem(await client.get("/api/v1/freelancers"), 401, "not_authenticated")


async def test_field_selection(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    page = await client.get(
        "/api/v1/freelancers", params={"fields": "user_id,name", "q": "rust"}, headers=world["headers"]
    )
    assert page.json()["items"] == [{"user_id": world["ids"][3], "name": "f3"}]
    blank = await client.get("/api/v1/freelancers", params={"fields": " ", "q": ""}, headers=world["headers"])
    assert len(blank.json()["items"]) == len(PROFILES)


COUNTED = [
    {},
    {"skills": "python"},
    {"skills": "python,django"},
    {"q": "python"},
    {"q": "python", "skills": "py"},
]


async def test_statements_do_not_grow_with_page_size(
    app: FastAPI, client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    db, headers = app.state.mercenary.db, world["headers"]

    async def statements(params: dict[str, str], limit: int, fields: str | None = None) -> tuple[int, int]:
        query: dict[str, str | int] = {**params, "limit": limit, **({"fields": fields} if fields else {})}
        with count_statements(db) as counted:
            response = await client.get("/api/v1/freelancers", params=query, headers=headers)
        assert response.status_code == 200
        return counted.n, len(response.json()["items"])

    for params in COUNTED:
        one, few = await statements(params, 1), await statements(params, 100)
        assert one[0] == few[0] <= 4 and one[1] == 1 < few[1], params
        # Without skills in the fields, the skills (one statement: links joined to slugs) are not loaded.
        assert (await statements(params, 100, "user_id,headline"))[0] == few[0] - 1
