"""Small helpers for API tests."""

from __future__ import annotations

from typing import Any

import httpx

PASSWORD = "correct horse battery"


def bearer(token: str) -> dict[str, str]:
    """An Authorization header."""
    return {"Authorization": f"Bearer {token}"}


async def signup(client: httpx.AsyncClient, email: str, role: str = "client", **extra: Any) -> dict[str, Any]:
    """Sign up (a client creates an organization unless told otherwise) and return the body."""
    body: dict[str, Any] = {"email": email, "password": PASSWORD, "name": email.split("@")[0], "role": role}
    if role == "client" and "invitation_code" not in extra:
        body["organization"] = f"Org of {email}"
    body.update(extra)
    response = await client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code, body
    return body
