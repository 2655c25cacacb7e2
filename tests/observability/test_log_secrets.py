"""No secret reaches a log line (OBS-2): the auth flow at DEBUG, every statement logged as slow, and
every line written (the access lines included) scanned for the passwords, the tokens and the key."""

from __future__ import annotations

import io

import httpx
import orjson
import pytest

from mercenary.app import create_app
from tests.api.helpers import PASSWORD, bearer
from tests.conftest import make_settings

WRONG_PASSWORD = "not the right one at all"


async def test_auth_flow_logs_no_secret(
    database_url: str, log_stream: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every statement is "slow": its SQL and parameters are logged, hashes and digests included.
    settings = make_settings(database_url, DB_SLOW_STATEMENT_MS=0, LOG_LEVEL="DEBUG")
    app = create_app(settings)
    secrets = [PASSWORD, WRONG_PASSWORD, settings.SECRET_KEY]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            body = {"email": "ann@example.com", "password": PASSWORD, "name": "Ann", "role": "client"}
            signup = await client.post("/api/v1/auth/signup", json={**body, "organization": "Ann's"})
            assert signup.status_code == 201
            login = await client.post(
                "/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD}
            )
            assert login.status_code == 200
            wrong = await client.post(
                "/api/v1/auth/login", json={"email": "ann@example.com", "password": WRONG_PASSWORD}
            )
            assert wrong.status_code == 401
            refreshed = await client.post(
                "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
            )
            assert refreshed.status_code == 200
            me = await client.get("/api/v1/users/me", headers=bearer(refreshed.json()["access_token"]))
            assert me.status_code == 200
            for pair in (signup.json(), login.json(), refreshed.json()):
                for token in (pair["access_token"], pair["refresh_token"]):
                    secrets.append(token)
                    secrets.append(token.rsplit(".", 1)[-1])  # a JWT's signature alone
    lines = log_stream.getvalue().splitlines() + capsys.readouterr().err.splitlines()
    records = [orjson.loads(line) for line in lines]
    # The capture saw what it should: an access line per request and the statements at WARNING.
    access = [r for r in records if r["logger"] == "mercenary.access"]
    assert [(r["method"], r["route"], r["status"]) for r in access] == [
        ("POST", "/api/v1/auth/signup", 201),
        ("POST", "/api/v1/auth/login", 200),
        ("POST", "/api/v1/auth/login", 401),
        ("POST", "/api/v1/auth/refresh", 200),
        ("GET", "/api/v1/users/me", 200),
    ]
    assert sum(r["logger"] == "mercenary.db.slow" for r in records) >= 5
    for secret in secrets:
        leaks = [line for line in lines if secret in line]
        assert not leaks, f"a secret reached the logs: {leaks[0][:300]}"
