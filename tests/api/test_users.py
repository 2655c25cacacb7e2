"""Listing, paginating, field selection and visibility of users."""

from __future__ import annotations

import httpx
import pytest

from tests.api.helpers import assert_problem, bearer, signup


@pytest.fixture
async def team(client: httpx.AsyncClient) -> dict[str, object]:
    owner = await signup(client, "owner@acme.example.com")
    org = (await client.get("/api/v1/organizations/current", headers=bearer(owner["access_token"]))).json()
    for i in range(4):
        await signup(client, f"m{i}@acme.example.com", invitation_code=org["invitation_code"])
    outsider = await signup(client, "out@other.example.com")
    return {"token": owner["access_token"], "owner": owner["user"], "outsider": outsider}


async def test_members_paginate_with_cursors(client: httpx.AsyncClient, team: dict[str, object]) -> None:
    headers = bearer(str(team["token"]))
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/users", params=params, headers=headers)).json()
        seen += [u["id"] for u in page["items"]]
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 3 and len(seen) == 5 and seen == sorted(seen)
    outsider = team["outsider"]
    assert isinstance(outsider, dict) and outsider["user"]["id"] not in seen


async def test_default_page_size_and_limits(client: httpx.AsyncClient, team: dict[str, object]) -> None:
    headers = bearer(str(team["token"]))
    page = (await client.get("/api/v1/users", headers=headers)).json()
    assert len(page["items"]) == 5 and page["has_more"] is False
    for bad in ("0", "101", "x"):
        assert_problem(
            await client.get("/api/v1/users", params={"limit": bad}, headers=headers), 422, "validation_error"
        )


async def test_tampered_cursor_is_refused(client: httpx.AsyncClient, team: dict[str, object]) -> None:
    headers = bearer(str(team["token"]))
    cursor = (await client.get("/api/v1/users", params={"limit": 1}, headers=headers)).json()["next_cursor"]
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in (tampered, "garbage!", "AAAA"):
        response = await client.get("/api/v1/users", params={"cursor": bad}, headers=headers)
        assert_problem(response, 400, "invalid_cursor")


async def test_field_selection(client: httpx.AsyncClient, team: dict[str, object]) -> None:
    headers = bearer(str(team["token"]))
    page = (await client.get("/api/v1/users", params={"fields": "id,name"}, headers=headers)).json()
    assert all(set(item) == {"id", "name"} for item in page["items"])
    bad = await client.get("/api/v1/users", params={"fields": "id,password_hash"}, headers=headers)
    body = assert_problem(bad, 422, "unknown_field")
    assert body["unknown"] == ["password_hash"] and "email" in body["allowed"]


async def test_another_organizations_client_is_not_visible(
    client: httpx.AsyncClient, team: dict[str, object]
) -> None:
    # Walking ids must not reveal accounts: without a shared project, the 404 of a missing id
    # (tests/api/market/test_user_visibility.py has the whole rule).
    outsider = team["outsider"]
    assert isinstance(outsider, dict)
    owner = team["owner"]
    assert isinstance(owner, dict)
    response = await client.get(f"/api/v1/users/{owner['id']}", headers=bearer(outsider["access_token"]))
    assert_problem(response, 404, "not_found")


async def test_public_view_hides_private_fields(client: httpx.AsyncClient, team: dict[str, object]) -> None:
    owner = team["owner"]
    assert isinstance(owner, dict)
    member_id = int(owner["id"]) + 1  # the first invited member
    response = await client.get(f"/api/v1/users/{member_id}", headers=bearer(str(team["token"])))
    assert response.status_code == 200
    assert set(response.json()) == {"id", "name", "role", "created_at"}


@pytest.mark.parametrize("user_id", ["+1", "01", "1_0", " 1", "\u0661", "1.0", "true"])
async def test_an_id_is_plain_decimal_digits(
    client: httpx.AsyncClient, team: dict[str, object], user_id: str
) -> None:
    # One object, one URL: pydantic's lax integers took "+1", "01" and "1_0" (even Arabic-Indic digits).
    response = await client.get(f"/api/v1/users/{user_id}", headers=bearer(str(team["token"])))
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize(
    ("user_id", "status", "code"),
    [
        ("999999", 404, "not_found"),
        (str(2**63), 422, "validation_error"),
        ("-1", 422, "validation_error"),
        ("abc", 422, "validation_error"),
    ],
)
async def test_unknown_user_ids(
    client: httpx.AsyncClient, team: dict[str, object], user_id: str, status: int, code: str
) -> None:
    response = await client.get(f"/api/v1/users/{user_id}", headers=bearer(str(team["token"])))
    assert_problem(response, status, code)


async def test_list_needs_authentication(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/users"), 401, "not_authenticated")
