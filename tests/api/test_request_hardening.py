"""What every request with a body or an id goes through, against the probe's findings: nesting
depth, strict integers, invisible characters, media type and encoding, ``Allow`` and ``HEAD``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.helpers import assert_problem, bearer, signup

PROJECT = {
    "title": "Build a shop",
    "description": "An online shop with payments.",
    "budget": 100,
    "skills": [],
}


@pytest.fixture
async def headers(client: httpx.AsyncClient) -> dict[str, str]:
    return bearer((await signup(client, "owner@example.com"))["access_token"])


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [33, 200, 960, 963, 966, 5_000, 100_000])
async def test_a_deeply_nested_body_is_refused_on_every_endpoint(
    client: httpx.AsyncClient, headers: dict[str, str], depth: int
) -> None:
    # Unauthenticated too: the log-in is the first endpoint anyone can reach.
    login = '{"email": "a@example.com", "password": ' + nested(depth) + "}"
    response = await client.post(
        "/api/v1/auth/login", content=login, headers={"content-type": "application/json"}
    )
    assert assert_problem(response, 400, "body_too_deep")["max_depth"] == 32
    project = '{"title": "t", "description": ' + nested(depth) + "}"
    response = await client.post(
        "/api/v1/projects", content=project, headers={**headers, "content-type": "application/json"}
    )
    assert_problem(response, 400, "body_too_deep")


async def test_nesting_up_to_the_limit_is_validated_as_usual(client: httpx.AsyncClient) -> None:
    body = '{"email": "a@example.com", "password": ' + nested(31) + "}"
    response = await client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["field"] == "password"


@pytest.mark.parametrize("budget", [True, False, "100", 100.0, "1e2"])
async def test_integers_in_bodies_are_strict(
    client: httpx.AsyncClient, headers: dict[str, str], budget: Any
) -> None:
    response = await client.post("/api/v1/projects", json={**PROJECT, "budget": budget}, headers=headers)
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["field"] == "budget"
    listed = (await client.get("/api/v1/projects", headers=headers)).json()
    assert listed["items"] == []  # nothing was stored


@pytest.mark.parametrize("limit", ["+5", "05", "5_0", " 5", "true", "\u0665"])
async def test_query_integers_are_plain_digits(
    client: httpx.AsyncClient, headers: dict[str, str], limit: str
) -> None:
    response = await client.get("/api/v1/projects", params={"limit": limit}, headers=headers)
    assert_problem(response, 422, "validation_error")


async def test_path_ids_are_plain_digits(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    project = (await client.post("/api/v1/projects", json=PROJECT, headers=headers)).json()
    assert (await client.get(f"/api/v1/projects/{project['id']}", headers=headers)).status_code == 200
    for alias in (f"+{project['id']}", f"0{project['id']}", f"{project['id']}_0"):
        assert_problem(
            await client.get(f"/api/v1/projects/{alias}", headers=headers), 422, "validation_error"
        )


@pytest.mark.parametrize(
    "char",
    ["\u202e", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2028", "\u2029", "\U000e0041"],
)
async def test_invisible_format_characters_are_refused_with_the_field(
    client: httpx.AsyncClient, headers: dict[str, str], char: str
) -> None:
    response = await client.post(
        "/api/v1/projects", json={**PROJECT, "title": f"Shop{char}gnp.exe"}, headers=headers
    )
    (error,) = assert_problem(response, 422, "validation_error")["errors"]
    assert error["type"] == "invisible_characters"
    assert error["field"] == "title"
    response = await client.post(
        "/api/v1/projects", json={**PROJECT, "skills": ["ok", f"x{char}"]}, headers=headers
    )
    assert assert_problem(response, 422, "validation_error")["errors"][0]["field"] == "skills.1"
    body = {
        "email": "b@example.com",
        "password": "correct horse battery",
        "role": "freelancer",
        "name": f"Ann{char}",
    }
    response = await client.post("/api/v1/auth/signup", json=body)
    assert assert_problem(response, 422, "validation_error")["errors"][0]["field"] == "name"


async def test_visible_text_in_any_script_is_kept(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    title = "Café 東京 مرحبا 👩🏽‍💻"[:-3] + " ok"  # the ZWJ sequence cut off: ZWJ is a format character
    response = await client.post("/api/v1/projects", json={**PROJECT, "title": title}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["title"] == title


async def test_control_characters_still_name_their_field(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/projects", json={**PROJECT, "description": "a\x00b"}, headers=headers
    )
    (error,) = assert_problem(response, 422, "validation_error")["errors"]
    assert (error["type"], error["field"]) == ("control_characters", "description")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
@pytest.mark.parametrize("body", [b"", b'{"email": "a@example.com", "password": "x"}'])
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    response = await client.post("/api/v1/auth/login", content=body, headers={"content-type": content_type})
    assert_problem(response, 415, "unsupported_media_type")


async def test_an_empty_json_body_is_still_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize("body", [b'{"email": "\xff"}', b'{"email": "\xc3"}', b"\xef\xbb\xbf\x80"])
async def test_invalid_utf8_is_malformed_json(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "malformed_json")


async def test_405_lists_every_method_of_the_path(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.put("/api/v1/projects/1", headers=headers, json={})
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "DELETE, GET, HEAD, PATCH"
    response = await client.delete("/api/v1/projects", headers=headers)
    assert response.headers["allow"] == "GET, HEAD, PATCH, POST"
    response = await client.post("/api/v1/users/me", headers=headers)
    assert response.headers["allow"] == "GET, HEAD"


async def test_head_answers_wherever_get_does(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    project = (await client.post("/api/v1/projects", json=PROJECT, headers=headers)).json()
    for path in (f"/api/v1/projects/{project['id']}", "/api/v1/projects", "/api/v1/users/me", "/health"):
        got = await client.get(path, headers=headers)
        head = await client.head(path, headers=headers)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        for name in ("content-type", "content-length", "etag", "cache-control"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)
    missing = await client.head("/api/v1/projects/999999", headers=headers)
    assert missing.status_code == 404 and missing.content == b""
