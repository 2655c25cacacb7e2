"""Freelancer profiles: anyone signed in reads them, only the freelancer writes their own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from tests.api.catalog import admin_headers, create_taxonomy, freelancer, profile_body
from tests.api.helpers import assert_problem, bearer, signup


@pytest.fixture
async def admin(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    headers = await admin_headers(app, client)
    await create_taxonomy(client, headers)
    return headers


@pytest.fixture
async def fred(client: httpx.AsyncClient, admin: dict[str, str]) -> tuple[int, dict[str, str]]:
    return await freelancer(client, "fred@example.com")


def url(user_id: int | str) -> str:
    return f"/api/v1/freelancers/{user_id}/profile"


async def test_put_then_get(client: httpx.AsyncClient, fred: tuple[int, dict[str, str]]) -> None:
    user_id, headers = fred
    assert_problem(await client.get(url(user_id), headers=headers), 404, "not_found")
    body = profile_body(headline="  Python and React developer ", skills=["PY", "js", "react", "javascript"])
    created = await client.put(url(user_id), json=body, headers=headers)
    assert created.status_code == 200, created.text
    profile = created.json()
    assert {k: v for k, v in profile.items() if k != "updated_at"} == {
        "user_id": user_id,
        "name": "fred",
        "headline": "Python and React developer",
        "bio": "I build APIs.",
        "hourly_rate": 80,
        "availability": "available",
        "skills": ["javascript", "python", "react"],
    }
    client_user = await signup(client, "carol@example.com")
    seen = await client.get(url(user_id), headers=bearer(client_user["access_token"]))
    assert seen.status_code == 200 and seen.json() == profile

    replaced = await client.put(
        url(user_id), json=profile_body(skills=["rust"], availability="busy", hourly_rate=95), headers=headers
    )
    assert replaced.status_code == 200
    again = (await client.get(url(user_id), headers=headers)).json()
    assert again == replaced.json()
    assert again["skills"] == ["rust"] and again["availability"] == "busy" and again["hourly_rate"] == 95
    empty = await client.put(url(user_id), json=profile_body(skills=[]), headers=headers)
    assert (
        empty.json()["skills"] == []
        and (await client.get(url(user_id), headers=headers)).json() == empty.json()
    )


async def test_only_freelancers_have_profiles(
    client: httpx.AsyncClient, fred: tuple[int, dict[str, str]]
) -> None:
    _, headers = fred
    carol = await signup(client, "carol@example.com")
    carol_id = carol["user"]["id"]
    assert_problem(await client.get(url(carol_id), headers=headers), 404, "not_found")
    own = await client.put(url(carol_id), json=profile_body(), headers=bearer(carol["access_token"]))
    assert_problem(own, 403, "permission_denied")
    for missing in (999_999, 2**63 - 1):
        assert_problem(await client.get(url(missing), headers=headers), 404, "not_found")
    for bad in ("0", "-3", "abc", str(2**63)):
        assert_problem(await client.get(url(bad), headers=headers), 422, "validation_error")
    assert_problem(await client.get(url(carol_id)), 401, "not_authenticated")


async def test_nobody_writes_anothers_profile_and_learns_nothing(
    app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str], fred: tuple[int, dict[str, str]]
) -> None:
    fred_id, fred_headers = fred
    original = (await client.put(url(fred_id), json=profile_body(), headers=fred_headers)).json()
    _, other_freelancer = await freelancer(client, "olga@example.com")
    other_org_client = bearer((await signup(client, "eve@evil.example.com"))["access_token"])
    missing = await client.put(url(999_999), json=profile_body(), headers=other_freelancer)
    expected = assert_problem(missing, 404, "not_found")
    for intruder in (other_freelancer, other_org_client, admin):
        response = await client.put(url(fred_id), json=profile_body(headline="Hacked"), headers=intruder)
        assert assert_problem(response, 404, "not_found") == expected
    # A not-yet-created profile is guarded the same way.
    fresh_id, _ = await freelancer(client, "nina@example.com")
    response = await client.put(url(fresh_id), json=profile_body(), headers=other_freelancer)
    assert assert_problem(response, 404, "not_found") == expected
    assert (await client.get(url(fred_id), headers=admin)).json() == original
    assert_problem(await client.get(url(fresh_id), headers=admin), 404, "not_found")


BAD_PROFILES: list[tuple[dict[str, Any], int, str]] = [
    ({"headline": ""}, 422, "validation_error"),
    ({"headline": "h" * 201}, 422, "validation_error"),
    ({"headline": "bad\x00byte"}, 422, "validation_error"),
    ({"bio": "b" * 5_001}, 422, "validation_error"),
    ({"hourly_rate": -1}, 422, "validation_error"),
    ({"hourly_rate": 100_001}, 422, "validation_error"),
    ({"hourly_rate": 2**70}, 422, "validation_error"),
    ({"hourly_rate": "lots"}, 422, "validation_error"),
    ({"availability": "maybe"}, 422, "validation_error"),
    ({"skills": "python"}, 422, "validation_error"),
    ({"skills": ["python", "no such skill"]}, 422, "validation_error"),
    ({"skills": ["python", "cobol"]}, 422, "unknown_skill"),
    ({"skills": [f"s{i}" for i in range(31)]}, 422, "validation_error"),
    ({"user_id": 1}, 422, "validation_error"),
    ({"headline": None}, 422, "validation_error"),
]


async def test_bad_input_changes_nothing(client: httpx.AsyncClient, fred: tuple[int, dict[str, str]]) -> None:
    user_id, headers = fred
    before = (await client.put(url(user_id), json=profile_body(), headers=headers)).json()
    for change, status, code in BAD_PROFILES:
        response = await client.put(url(user_id), json=profile_body(**change), headers=headers)
        assert_problem(response, status, code)
    assert (await client.get(url(user_id), headers=headers)).json() == before


async def test_malformed_and_missing_bodies(
    client: httpx.AsyncClient, fred: tuple[int, dict[str, str]]
) -> None:
    user_id, headers = fred
    raw = {**headers, "content-type": "application/json"}
    assert_problem(await client.put(url(user_id), content=b"{nope", headers=raw), 400, "malformed_json")
    assert_problem(await client.put(url(user_id), json=[], headers=headers), 422, "validation_error")
    assert_problem(await client.put(url(user_id), headers=headers), 422, "validation_error")
    assert_problem(await client.get(url(user_id), headers=headers), 404, "not_found")


async def test_deactivated_freelancer_disappears(
    app: FastAPI, client: httpx.AsyncClient, fred: tuple[int, dict[str, str]]
) -> None:
    user_id, headers = fred
    assert (await client.put(url(user_id), json=profile_body(), headers=headers)).status_code == 200
    await app.state.mercenary.db.execute(sa.text(f"UPDATE users SET is_active = false WHERE id = {user_id}"))
    assert_problem(await client.get(url(user_id), headers=headers), 404, "not_found")
    assert (await client.get("/api/v1/freelancers", headers=headers)).json()["items"] == []
    assert_problem(await client.put(url(user_id), json=profile_body(), headers=headers), 404, "not_found")


async def test_deleting_a_skill_removes_it_from_profiles(
    client: httpx.AsyncClient, admin: dict[str, str], fred: tuple[int, dict[str, str]]
) -> None:
    user_id, headers = fred
    profile = (
        await client.put(url(user_id), json=profile_body(skills=["python", "rust"]), headers=headers)
    ).json()
    rust = next(
        s for s in (await client.get("/api/v1/skills", headers=headers)).json() if s["slug"] == "rust"
    )
    assert (await client.delete(f"/api/v1/skills/{rust['id']}", headers=admin)).status_code == 204
    assert (await client.get(url(user_id), headers=headers)).json() == {**profile, "skills": ["python"]}
