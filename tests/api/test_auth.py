"""Sign-up, log-in, refresh rotation with reuse detection, log-out: the happy path and every refusal."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa

from mercenary.auth.tables import refresh_tokens
from mercenary.db import Database, Query
from mercenary.db.metadata import utcnow
from mercenary.security.tokens import key_id
from mercenary.settings import Settings
from mercenary.tenants.tables import organizations
from mercenary.users.tables import users
from tests.api.helpers import PASSWORD, assert_problem, bearer, signup

COUNT_USERS = Query("t.count_users", sa.select(sa.func.count()).select_from(users))
COUNT_ORGS = Query("t.count_orgs", sa.select(sa.func.count()).select_from(organizations))


async def counts(db: Database) -> tuple[int, int]:
    return int(await db.fetch_val(COUNT_USERS)), int(await db.fetch_val(COUNT_ORGS))


async def test_signup_login_me_refresh_logout(client: httpx.AsyncClient) -> None:
    created = await signup(client, "Ann@Example.com")
    assert created["user"]["email"] == "ann@example.com"
    assert created["user"]["role"] == "client" and created["token_type"] == "bearer"
    assert "password_hash" not in created["user"]

    login = await client.post("/api/v1/auth/login", json={"email": "ANN@example.com", "password": PASSWORD})
    assert login.status_code == 200
    pair = login.json()
    assert pair["expires_in"] == 900

    me = await client.get("/api/v1/users/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200 and me.json()["id"] == created["user"]["id"]

    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200
    new_pair = rotated.json()
    assert new_pair["refresh_token"] != pair["refresh_token"]

    out = await client.post("/api/v1/auth/logout", json={"refresh_token": new_pair["refresh_token"]})
    assert out.status_code == 204
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": new_pair["refresh_token"]})
    assert_problem(again, 401, "invalid_refresh_token")


async def test_reusing_a_rotated_refresh_token_revokes_the_family(client: httpx.AsyncClient) -> None:
    first = await signup(client, "bob@example.com", role="freelancer")
    second = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    body = assert_problem(reuse, 401, "invalid_refresh_token")
    assert "already used" in body["detail"]
    # The legitimate holder's newer token died with the family.
    stolen = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert_problem(stolen, 401, "invalid_refresh_token")
    # Another session of the same user is unaffected.
    other = (
        await client.post("/api/v1/auth/login", json={"email": "bob@example.com", "password": PASSWORD})
    ).json()
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    ).status_code == 200


async def test_client_joins_an_organization_by_invitation(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "owner@example.com")
    org = (await client.get("/api/v1/organizations/current", headers=bearer(owner["access_token"]))).json()
    joined = await signup(client, "mate@example.com", invitation_code=org["invitation_code"])
    assert joined["user"]["tenant_id"] == owner["user"]["tenant_id"]


async def test_freelancer_gets_a_personal_organization(client: httpx.AsyncClient) -> None:
    a = await signup(client, "f1@example.com", role="freelancer")
    b = await signup(client, "f2@example.com", role="freelancer")
    assert a["user"]["tenant_id"] != b["user"]["tenant_id"]
    org = (await client.get("/api/v1/organizations/current", headers=bearer(a["access_token"]))).json()
    assert org["kind"] == "personal" and org["invitation_code"] is None


VALID = {
    "email": "new@example.com",
    "password": PASSWORD,
    "name": "New",
    "role": "client",
    "organization": "N",
}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**VALID, "role": "admin"}, 422, "validation_error"),
        ({**VALID, "role": 3}, 422, "validation_error"),
        ({**VALID, "password": "short"}, 422, "validation_error"),
        ({**VALID, "password": "x" * 129}, 422, "validation_error"),
        ({**VALID, "name": "n" * 121}, 422, "validation_error"),
        ({**VALID, "email": "not-an-email"}, 422, "validation_error"),
        ({**VALID, "is_admin": True}, 422, "validation_error"),
        ({k: v for k, v in VALID.items() if k != "organization"}, 422, "invalid_request"),
        ({**VALID, "invitation_code": "whatever"}, 422, "invalid_request"),
        ({**VALID, "organization": None, "invitation_code": "nope"}, 422, "unknown_invitation"),
        ({**VALID, "role": "freelancer"}, 422, "invalid_request"),
        ([1, 2], 422, "validation_error"),
    ],
)
async def test_bad_signups_change_nothing(
    client: httpx.AsyncClient, db: Database, body: object, status: int, code: str
) -> None:
    before = await counts(db)
    response = await client.post("/api/v1/auth/signup", json=body)
    problem = assert_problem(response, status, code)
    if code == "validation_error":
        assert problem["errors"] and all("field" in e and "message" in e for e in problem["errors"])
    assert await counts(db) == before


async def test_validation_errors_name_the_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/signup", json={**VALID, "password": 5, "extra": 1})
    fields = {e["field"] for e in assert_problem(response, 422, "validation_error")["errors"]}
    assert {"password", "extra"} <= fields


async def test_duplicate_email_is_a_conflict(client: httpx.AsyncClient, db: Database) -> None:
    await signup(client, "dup@example.com")
    before = await counts(db)
    response = await client.post("/api/v1/auth/signup", json={**VALID, "email": "DUP@example.com"})
    assert_problem(response, 409, "email_taken")
    assert await counts(db) == before


async def test_malformed_json_and_wrong_content(client: httpx.AsyncClient) -> None:
    bad = await client.post(
        "/api/v1/auth/login", content=b'{"email": "a@b.c", ', headers={"content-type": "application/json"}
    )
    assert_problem(bad, 400, "malformed_json")
    missing = await client.post("/api/v1/auth/login", json={})
    assert_problem(missing, 422, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "ann@example.com", "password": "wrong password"},
        {"email": "nobody@example.com", "password": PASSWORD},
    ],
)
async def test_wrong_credentials_say_nothing_more(client: httpx.AsyncClient, body: dict[str, str]) -> None:
    await signup(client, "ann@example.com")
    response = await client.post("/api/v1/auth/login", json=body)
    problem = assert_problem(response, 401, "invalid_credentials")
    assert problem["detail"] == "Wrong e-mail or password."
    assert response.headers["www-authenticate"] == "Bearer"


async def test_unknown_refresh_and_logout_tokens(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/auth/refresh", "/api/v1/auth/logout"):
        response = await client.post(path, json={"refresh_token": "x" * 43})
        assert_problem(response, 401, "invalid_refresh_token")


async def test_expired_refresh_token_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    created = await signup(client, "old@example.com")
    async with db.transaction() as conn:
        await conn.execute(sa.update(refresh_tokens).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": created["refresh_token"]})
    assert_problem(response, 401, "invalid_refresh_token")


def forge(settings: Settings, *, key: str | None = None, kid: str | None = "", **claims: object) -> str:
    """An access token as the service signs one (``key``: another secret; ``kid``: another key id,
    None for none; a claim set to None is left out)."""
    secret = key or settings.SECRET_KEY
    hmac_key = hashlib.sha256(b"jwt:" + secret.encode()).hexdigest()
    now = int(time.time())
    base = {
        "sub": "1",
        "tid": 1,
        "role": "client",
        "typ": "access",
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "iat": now,
        "exp": now + 60,
    }
    base.update(claims)
    headers = {} if kid is None else {"kid": kid or key_id(secret)}
    return jwt.encode(
        {k: v for k, v in base.items() if v is not None}, hmac_key, algorithm="HS256", headers=headers
    )


def unsigned(settings: Settings) -> str:
    """``alg: none``: the claims of a valid token with no signature."""
    now = int(time.time())
    claims = {"sub": "1", "tid": 1, "role": "client", "typ": "access", "iss": settings.JWT_ISSUER}
    claims.update({"aud": settings.JWT_AUDIENCE, "iat": now, "exp": now + 60})
    header = {"alg": "none", "typ": "JWT", "kid": key_id(settings.SECRET_KEY)}

    def part(data: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-jwt",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "Bearer a.b.c",
        "Bearer !!!.e30.x",
        "Bearer e30.e30.x",  # {} as header: no kid
        "Bearer WzFd.e30.x",  # [1] as header
        "Bearer eyJraWQiOlsieCJdfQ.e30.x",  # {"kid":["x"]}
        "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwidGlkIjoxLCJyb2xlIjoiY2xpZW50In0.",
    ],
)
async def test_bad_bearer_tokens(client: httpx.AsyncClient, header: str) -> None:
    response = await client.get("/api/v1/users/me", headers={"Authorization": header})
    assert_problem(response, 401, "invalid_token")


async def test_missing_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/users/me"), 401, "not_authenticated")


async def test_a_forged_token_as_the_service_signs_it_is_accepted(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """The baseline for the refusals below: ``forge`` makes a token the service accepts."""
    user = await signup(client, "real@example.com")
    token = forge(settings, sub=str(user["user"]["id"]), tid=user["user"]["tenant_id"])
    assert (await client.get("/api/v1/users/me", headers=bearer(token))).status_code == 200


FOREIGN = "another-secret-key-0123456789abcdef0123"


@pytest.mark.parametrize(
    ("claims", "options"),
    [
        pytest.param({"exp": int(time.time()) - 120}, {}, id="expired"),
        pytest.param({"typ": "refresh"}, {}, id="refresh-typ"),
        pytest.param({"typ": None}, {}, id="no-typ"),
        pytest.param({"exp": None}, {}, id="no-exp"),
        pytest.param({"iat": None}, {}, id="no-iat"),
        pytest.param({"iat": int(time.time()) + 3600}, {}, id="issued-in-the-future"),
        pytest.param({"aud": "another-api"}, {}, id="wrong-aud"),
        pytest.param({"aud": None}, {}, id="no-aud"),
        pytest.param({"iss": "someone-else"}, {}, id="wrong-iss"),
        pytest.param({"iss": None}, {}, id="no-iss"),
        pytest.param({"sub": "abc"}, {}, id="bad-sub"),
        pytest.param({}, {"kid": None}, id="no-kid"),
        pytest.param({}, {"kid": "0123456789abcdef"}, id="unknown-kid"),
        pytest.param({}, {"key": FOREIGN}, id="foreign-key"),
        pytest.param({}, {"key": FOREIGN, "kid": "ours"}, id="foreign-key-claiming-our-kid"),
    ],
)
async def test_forged_or_expired_claims(
    client: httpx.AsyncClient, settings: Settings, claims: dict[str, Any], options: dict[str, Any]
) -> None:
    if options.get("kid") == "ours":
        options["kid"] = key_id(settings.SECRET_KEY)
    response = await client.get("/api/v1/users/me", headers=bearer(forge(settings, **options, **claims)))
    assert_problem(response, 401, "invalid_token")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_alg_none_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    response = await client.get("/api/v1/users/me", headers=bearer(unsigned(settings)))
    assert_problem(response, 401, "invalid_token")


async def test_token_signed_with_another_key(client: httpx.AsyncClient) -> None:
    token = jwt.encode(
        {"sub": "1", "tid": 1, "role": "client", "typ": "access", "iat": 1, "exp": 2**40}, "k" * 40
    )
    assert_problem(await client.get("/api/v1/users/me", headers=bearer(token)), 401, "invalid_token")


async def test_access_and_refresh_tokens_are_not_interchangeable(client: httpx.AsyncClient) -> None:
    pair = await signup(client, "swap@example.com")
    as_access = await client.get("/api/v1/users/me", headers=bearer(pair["refresh_token"]))
    assert_problem(as_access, 401, "invalid_token")
    for path in ("/api/v1/auth/refresh", "/api/v1/auth/logout"):
        as_refresh = await client.post(path, json={"refresh_token": pair["access_token"]})
        problem = assert_problem(as_refresh, 401, "invalid_refresh_token")
        assert "access token" in problem["detail"]
    # Neither mistake cost the session anything.
    assert (await client.get("/api/v1/users/me", headers=bearer(pair["access_token"]))).status_code == 200
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/signup", {**VALID, "name": "Ann\x00"}),
        ("/api/v1/auth/login", {"email": "a\x00@example.com", "password": PASSWORD}),
        ("/api/v1/auth/refresh", {"refresh_token": "x" * 20 + "\x00"}),
    ],
)
async def test_control_characters_are_refused(
    client: httpx.AsyncClient, db: Database, path: str, body: dict[str, str]
) -> None:
    before = await counts(db)
    problem = assert_problem(await client.post(path, json=body), 422, "validation_error")
    assert "control characters" in problem["errors"][0]["message"]
    assert await counts(db) == before
