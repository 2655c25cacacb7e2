"""The skills taxonomy: everyone reads it, admins curate it, no name means two skills."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.catalog import TAXONOMY, admin_headers, create_taxonomy
from tests.api.helpers import assert_problem, bearer, signup
from tests.support.statements import count_statements


@pytest.fixture
async def admin(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    return await admin_headers(app, client)


@pytest.fixture
async def skill_ids(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, int]:
    return await create_taxonomy(client, admin)


async def _taxonomy(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/skills", headers=headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def test_everyone_signed_in_reads_the_taxonomy(
    client: httpx.AsyncClient, skill_ids: dict[str, int]
) -> None:
    user = await signup(client, "ann@example.com")
    skills = await _taxonomy(client, bearer(user["access_token"]))
    assert [s["slug"] for s in skills] == [s["slug"] for s in TAXONOMY]
    python = skills[0]
    assert python == {
        "id": skill_ids["python"],
        "slug": "python",
        "name": "Python",
        "category": "Programming",
        "aliases": ["py", "python3"],
    }
    assert_problem(await client.get("/api/v1/skills"), 401, "not_authenticated")


async def test_listing_takes_two_statements_whatever_the_size(
    app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    db = app.state.mercenary.db
    counts = []
    for batch in range(2):
        for i in range(5 * batch + 1):
            body = {"slug": f"s{batch}-{i}", "name": "S", "category": "C", "aliases": [f"a{batch}-{i}"]}
            assert (await client.post("/api/v1/skills", json=body, headers=admin)).status_code == 201
        with count_statements(db) as statements:
            await _taxonomy(client, admin)
        counts.append(statements.n)
    assert counts == [2, 2]


async def test_only_admins_curate(client: httpx.AsyncClient, skill_ids: dict[str, int]) -> None:
    body = {"slug": "go", "name": "Go", "category": "Programming"}
    for role in ("client", "freelancer"):
        user = await signup(client, f"{role}@example.com", role=role)
        headers = bearer(user["access_token"])
        assert_problem(
            await client.post("/api/v1/skills", json=body, headers=headers), 403, "permission_denied"
        )
        patch = await client.patch(f"/api/v1/skills/{skill_ids['rust']}", json={"name": "X"}, headers=headers)
        assert_problem(patch, 403, "permission_denied")
        delete = await client.delete(f"/api/v1/skills/{skill_ids['rust']}", headers=headers)
        assert_problem(delete, 403, "permission_denied")
    assert len(await _taxonomy(client, headers)) == len(TAXONOMY)


BAD_SKILLS = [
    {"slug": "Go", "name": "Go", "category": "P"},
    {"slug": "-go", "name": "Go", "category": "P"},
    {"slug": "go lang", "name": "Go", "category": "P"},
    {"slug": "g" * 65, "name": "Go", "category": "P"},
    {"slug": "go", "name": "", "category": "P"},
    {"slug": "go", "name": "Go\x00", "category": "P"},
    {"slug": "go", "name": "Go", "category": "c" * 65},
    {"slug": "go", "name": "Go", "category": "P", "aliases": ["Golang"]},
    {"slug": "go", "name": "Go", "category": "P", "aliases": [f"a{i}" for i in range(21)]},
    {"slug": "go", "name": "Go", "category": "P", "colour": "blue"},
    {"slug": "go", "name": "Go"},
]


async def test_bad_skills_are_refused(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for body in BAD_SKILLS:
        response = await client.post("/api/v1/skills", json=body, headers=admin)
        assert_problem(response, 422, "validation_error")
    assert await _taxonomy(client, admin) == []


async def test_a_name_belongs_to_one_skill(
    client: httpx.AsyncClient, admin: dict[str, str], skill_ids: dict[str, int]
) -> None:
    clashes = [
        ({"slug": "python", "name": "P", "category": "C"}, ["python"]),
        ({"slug": "js", "name": "J", "category": "C"}, ["js"]),
        ({"slug": "go", "name": "Go", "category": "C", "aliases": ["rust", "py", "golang"]}, ["py", "rust"]),
    ]
    for body, taken in clashes:
        response = await client.post("/api/v1/skills", json=body, headers=admin)
        assert assert_problem(response, 409, "skill_name_taken")["taken"] == taken
    own = {"slug": "go", "name": "Go", "category": "C", "aliases": ["go"]}
    assert_problem(await client.post("/api/v1/skills", json=own, headers=admin), 422, "invalid_request")
    assert len(await _taxonomy(client, admin)) == len(TAXONOMY)
    ok = {"slug": "c++", "name": "C++", "category": "C", "aliases": ["cpp", "cpp", "cplusplus"]}
    created = await client.post("/api/v1/skills", json=ok, headers=admin)
    assert created.status_code == 201 and created.json()["aliases"] == ["cplusplus", "cpp"]


async def test_update_a_skill(
    client: httpx.AsyncClient, admin: dict[str, str], skill_ids: dict[str, int]
) -> None:
    url = f"/api/v1/skills/{skill_ids['javascript']}"
    renamed = await client.patch(
        url, json={"name": "JavaScript (ES2023)", "aliases": ["ecmascript"]}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {
        "id": skill_ids["javascript"],
        "slug": "javascript",
        "name": "JavaScript (ES2023)",
        "category": "Programming",
        "aliases": ["ecmascript"],
    }
    # "js" was freed by the alias change; a slug change keeps the aliases.
    moved = await client.patch(url, json={"slug": "js"}, headers=admin)
    assert moved.status_code == 200 and moved.json()["aliases"] == ["ecmascript"]
    unchanged = await client.patch(url, json={}, headers=admin)
    assert unchanged.json() == moved.json()
    for body, status, code in [
        ({"slug": "python3"}, 409, "skill_name_taken"),
        ({"aliases": ["django"]}, 409, "skill_name_taken"),
        ({"aliases": ["js"]}, 422, "invalid_request"),
        ({"name": None}, 422, "validation_error"),
        ({"slug": "JS"}, 422, "validation_error"),
        ({"id": 7}, 422, "validation_error"),
    ]:
        assert_problem(await client.patch(url, json=body, headers=admin), status, code)
    assert (await client.patch(url, json={}, headers=admin)).json() == moved.json()
    missing = await client.patch("/api/v1/skills/999999", json={"name": "X"}, headers=admin)
    assert_problem(missing, 404, "not_found")


async def test_delete_a_skill(
    client: httpx.AsyncClient, admin: dict[str, str], skill_ids: dict[str, int]
) -> None:
    url = f"/api/v1/skills/{skill_ids['python']}"
    response = await client.delete(url, headers=admin)
    assert response.status_code == 204 and response.content == b""
    assert_problem(await client.delete(url, headers=admin), 404, "not_found")
    assert "python" not in [s["slug"] for s in await _taxonomy(client, admin)]
    # Its aliases went with it: they can name a new skill.
    again = {"slug": "python", "name": "Python", "category": "P", "aliases": ["py"]}
    assert (await client.post("/api/v1/skills", json=again, headers=admin)).status_code == 201
    assert_problem(await client.delete("/api/v1/skills/0", headers=admin), 422, "validation_error")
