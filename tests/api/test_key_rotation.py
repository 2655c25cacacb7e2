"""Key rotation: the service signs with SECRET_KEY and still accepts what SECRET_KEYS_OLD signed, so
access tokens and list cursors issued before a rotation keep working until the old key is dropped,
after which they are refused with 401 / 400 (never a 500 or a wrong page)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest

from mercenary.app import create_app
from mercenary.security.tokens import key_id
from mercenary.settings import Settings
from tests.api.helpers import assert_problem, bearer, signup
from tests.conftest import make_settings

OLD = "the-old-secret-key-0123456789abcdef0123"
NEW = "the-new-secret-key-0123456789abcdef0123"
OTHER = "an-unrelated-secret-key-0123456789abcdef"

Deploy = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def deploy(settings: Settings) -> Deploy:
    """A client of the app on this test's database, with the keys given."""

    @asynccontextmanager
    async def run(secret: str, old: tuple[str, ...] = ()) -> AsyncIterator[httpx.AsyncClient]:
        values: dict[str, Any] = {"SECRET_KEY": secret, "SECRET_KEYS_OLD": old}
        app = create_app(make_settings(settings.DATABASE_URL, **values))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client

    return run


async def two_members(client: httpx.AsyncClient) -> str:
    owner = await signup(client, "owner@example.com")
    org = (await client.get("/api/v1/organizations/current", headers=bearer(owner["access_token"]))).json()
    await signup(client, "mate@example.com", invitation_code=org["invitation_code"])
    token: str = owner["access_token"]
    return token


async def test_tokens_and_cursors_survive_a_rotation_until_the_old_key_goes(deploy: Deploy) -> None:
    async with deploy(OLD) as before:
        token = await two_members(before)
        first = (await before.get("/api/v1/users", params={"limit": 1}, headers=bearer(token))).json()
        cursor = first["next_cursor"]
        assert jwt.get_unverified_header(token)["kid"] == key_id(OLD)

    async with deploy(NEW, (OLD,)) as rotated:
        # Issued before the rotation: still valid.
        assert (await rotated.get("/api/v1/users/me", headers=bearer(token))).status_code == 200
        second = await rotated.get(
            "/api/v1/users", params={"limit": 1, "cursor": cursor}, headers=bearer(token)
        )
        assert second.status_code == 200
        assert [u["email"] for u in second.json()["items"]] == ["mate@example.com"]
        # Issued now: signed with the new key.
        fresh = (
            await rotated.post(
                "/api/v1/auth/login", json={"email": "owner@example.com", "password": "correct horse battery"}
            )
        ).json()
        new_token = fresh["access_token"]
        assert jwt.get_unverified_header(new_token)["kid"] == key_id(NEW)
        new_cursor = (
            await rotated.get("/api/v1/users", params={"limit": 1}, headers=bearer(new_token))
        ).json()["next_cursor"]

    async with deploy(NEW) as retired:
        # The old key is gone: what it signed is refused, with a clear error.
        assert_problem(await retired.get("/api/v1/users/me", headers=bearer(token)), 401, "invalid_token")
        stale = await retired.get("/api/v1/users", params={"cursor": cursor}, headers=bearer(new_token))
        assert_problem(stale, 400, "invalid_cursor")
        # What the new key signed still works; the refresh token (opaque, in the database) too.
        assert (await retired.get("/api/v1/users/me", headers=bearer(new_token))).status_code == 200
        page = await retired.get("/api/v1/users", params={"cursor": new_cursor}, headers=bearer(new_token))
        assert page.status_code == 200
        refreshed = await retired.post("/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
        assert refreshed.status_code == 200


async def test_an_unrelated_deployment_accepts_nothing_of_ours(deploy: Deploy) -> None:
    async with deploy(OLD) as ours:
        token = await two_members(ours)
        cursor = (await ours.get("/api/v1/users", params={"limit": 1}, headers=bearer(token))).json()[
            "next_cursor"
        ]
    async with deploy(OTHER) as theirs:
        assert_problem(await theirs.get("/api/v1/users/me", headers=bearer(token)), 401, "invalid_token")
        fresh = (
            await theirs.post(
                "/api/v1/auth/login", json={"email": "owner@example.com", "password": "correct horse battery"}
            )
        ).json()["access_token"]
        stale = await theirs.get("/api/v1/users", params={"cursor": cursor}, headers=bearer(fresh))
        assert_problem(stale, 400, "invalid_cursor")
