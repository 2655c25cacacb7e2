"""Helpers for the skills and freelancer tests: an admin account and a small taxonomy."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from mercenary.auth.service import create_admin
from tests.api.helpers import PASSWORD, bearer, signup

TAXONOMY: list[dict[str, Any]] = [
    {"slug": "python", "name": "Python", "category": "Programming", "aliases": ["py", "python3"]},
    {"slug": "javascript", "name": "JavaScript", "category": "Programming", "aliases": ["js"]},
    {"slug": "django", "name": "Django", "category": "Web", "aliases": []},
    {"slug": "react", "name": "React", "category": "Web", "aliases": ["reactjs"]},
    {"slug": "rust", "name": "Rust", "category": "Programming", "aliases": []},
    {"slug": "figma", "name": "Figma", "category": "Design", "aliases": []},
]


async def admin_headers(
    app: FastAPI, client: httpx.AsyncClient, email: str = "root@example.com"
) -> dict[str, str]:
    """Create an administrator directly (admins cannot sign up) and log in as them."""
    state = app.state.mercenary
    await create_admin(state.db, state.hasher, email=email, name="Root", password=PASSWORD)
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


async def create_taxonomy(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, int]:
    """The skills of :data:`TAXONOMY`, as slug -> id."""
    ids: dict[str, int] = {}
    for skill in TAXONOMY:
        response = await client.post("/api/v1/skills", json=skill, headers=admin)
        assert response.status_code == 201, response.text
        ids[str(skill["slug"])] = response.json()["id"]
    return ids


async def freelancer(client: httpx.AsyncClient, email: str) -> tuple[int, dict[str, str]]:
    """A new freelancer's user id and auth headers."""
    body = await signup(client, email, role="freelancer")
    return int(body["user"]["id"]), bearer(body["access_token"])


def profile_body(**overrides: Any) -> dict[str, Any]:
    """A valid profile, with ``overrides``."""
    body: dict[str, Any] = {
        "headline": "Backend developer",
        "bio": "I build APIs.",
        "hourly_rate": 80,
        "skills": ["python"],
        "availability": "available",
    }
    body.update(overrides)
    return body
