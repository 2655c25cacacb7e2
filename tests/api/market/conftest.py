"""Fixtures for the marketplace flows: a few skills (the taxonomy API is another domain's), two client
organizations and three freelancers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from mercenary.db import Database
from mercenary.db.metadata import utcnow
from mercenary.skills.tables import skill_aliases, skills
from tests.api.helpers import bearer, signup

SKILLS = ("python", "django", "react", "postgresql", "design", "rust")


@dataclass
class Actor:
    """A signed-up user and the headers that authenticate them."""

    user: dict[str, Any]
    token: str

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass
class Market:
    """Organization A (clients a1, a2), organization B (client b1), freelancers f1-f3."""

    a1: Actor
    a2: Actor
    b1: Actor
    f1: Actor
    f2: Actor
    f3: Actor


@pytest.fixture
async def skill_ids(db: Database) -> dict[str, int]:
    now = utcnow()
    async with db.transaction() as conn:
        for i, slug in enumerate(SKILLS, start=1):
            await conn.execute(
                sa.insert(skills).values(id=i, slug=slug, name=slug.title(), category="dev", created_at=now)
            )
        await conn.execute(sa.insert(skill_aliases).values(skill_id=1, alias="py"))
    return {slug: i for i, slug in enumerate(SKILLS, start=1)}


async def _actor(client: httpx.AsyncClient, email: str, role: str = "client", **extra: Any) -> Actor:
    body = await signup(client, email, role, **extra)
    return Actor(body["user"], body["access_token"])


@pytest.fixture
async def market(client: httpx.AsyncClient, skill_ids: dict[str, int]) -> Market:
    a1 = await _actor(client, "a1@a.example.com")
    org = (await client.get("/api/v1/organizations/current", headers=a1.headers)).json()
    return Market(
        a1=a1,
        a2=await _actor(client, "a2@a.example.com", invitation_code=org["invitation_code"]),
        b1=await _actor(client, "b1@b.example.com"),
        f1=await _actor(client, "f1@f.example.com", "freelancer"),
        f2=await _actor(client, "f2@f.example.com", "freelancer"),
        f3=await _actor(client, "f3@f.example.com", "freelancer"),
    )


async def post_project(client: httpx.AsyncClient, actor: Actor, **fields: Any) -> dict[str, Any]:
    """Post a project (open unless told otherwise) and return it."""
    body = {
        "title": "Build a Django shop",
        "description": "An online shop with payments and a clean admin.",
        "budget": 5000,
        "skills": ["python", "django"],
        "status": "open",
        **fields,
    }
    response = await client.post("/api/v1/projects", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def bid(client: httpx.AsyncClient, actor: Actor, project_id: int, price: int = 4000) -> dict[str, Any]:
    """Submit a proposal and return it."""
    response = await client.post(
        f"/api/v1/projects/{project_id}/proposals",
        json={"cover_letter": "I have built many shops.", "price": price},
        headers=actor.headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data
