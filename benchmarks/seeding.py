"""What the in-process benchmarks set up before they measure: skills and a signed-up client."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from mercenary.db.metadata import utcnow
from mercenary.skills.tables import skills


async def add_skills(app: FastAPI, slugs: tuple[str, ...]) -> None:
    """Insert ``slugs`` into the taxonomy (ids 1..n), as an administrator would."""
    now = utcnow()
    async with app.state.mercenary.db.transaction() as conn:
        for i, slug in enumerate(slugs, 1):
            await conn.execute(
                sa.insert(skills).values(id=i, slug=slug, name=slug, category="dev", created_at=now)
            )


async def signup_client(client: httpx.AsyncClient) -> str:
    """Sign up the benchmark's client (its own organization) and return its access token."""
    signup = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "bench@example.com",
            "password": "a long bench password",
            "name": "Bench",
            "role": "client",
            "organization": "Bench",
        },
    )
    token: str = signup.json()["access_token"]
    return token
