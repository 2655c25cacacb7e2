"""What a scenario is: its traffic (shape + flow), its thresholds, and the requirements it cites."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from mercenary_perf.data import SEED_PASSWORD, Dataset
from mercenary_perf.generator import Flow
from mercenary_perf.shapes import Shape
from mercenary_perf.slo import Threshold

LOAD_CONNECTIONS = 512  # the generator's connection pool for the traffic (aiohttp's connector limit)


@dataclass
class Options:
    """Knobs of one scenario run (all have scenario defaults)."""

    base_url: str
    rate: float | None = None
    duration_s: float | None = None
    db_url: str | None = None
    timeout_s: float = 10.0
    connections: int = LOAD_CONNECTIONS
    server_pid: int | None = None
    seed: int = 1
    idle_connections: int = 0  # keep-alive connections held idle beside the traffic (SLO-10)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What a scenario's setup may use: the options, the dataset sample and a setup HTTP client."""

    options: Options
    dataset: Dataset
    http: aiohttp.ClientSession
    rng: random.Random
    notes: list[str] = field(default_factory=list)

    async def probe(self, path: str, token: str | None = None) -> int | None:
        """Status of one GET made during setup (not measured), or None on a transport error."""
        try:
            async with self.http.get(path, headers=bearer(token)) as resp:
                await resp.read()
                return resp.status
        except (aiohttp.ClientError, OSError, TimeoutError):
            return None

    async def login(self, email: str) -> str | None:
        """Log a seeded user in during setup; their access token, or None."""
        body = {"email": email, "password": SEED_PASSWORD}
        try:
            async with self.http.post("/api/v1/auth/login", json=body) as resp:
                data = await resp.json(content_type=None) if resp.status == 200 else None
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError):
            return None
        token = data.get("access_token") if isinstance(data, dict) else None
        return token if isinstance(token, str) else None

    async def tokens(self, n: int, role: str | None = None) -> list[tuple[dict[str, Any], str]]:
        """Log in up to ``n`` sampled users (of ``role``), a few at a time; pairs of (user row, token)."""
        users = self.dataset.users_with_role(role) if role else list(self.dataset.users)
        chosen = self.rng.sample(users, min(n, len(users)))
        sem = asyncio.Semaphore(4)  # logins are deliberately slow (argon2id): do not storm setup

        async def one(user: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
            async with sem:
                token = await self.login(str(user["email"]))
            return (user, token) if token else None

        pairs = [p for p in await asyncio.gather(*(one(u) for u in chosen)) if p]
        if len(pairs) < len(chosen):
            self.notes.append(f"{len(chosen) - len(pairs)} of {len(chosen)} setup logins failed")
        return pairs


def bearer(token: str | None) -> dict[str, str]:
    """The Authorization header for ``token`` (empty when None)."""
    return {"Authorization": f"Bearer {token}"} if token else {}


Setup = Callable[[Context], Awaitable[Flow]]


@dataclass(frozen=True)
class Scenario:
    """A named load test: traffic, default rate and duration, thresholds, requirement ids."""

    name: str
    traffic: str
    requirements: tuple[str, ...]
    setup: Setup
    shape: Callable[[float, float], Shape]  # (rate, duration) -> arrival shape
    rate: float
    duration_s: float
    thresholds: tuple[Threshold, ...]
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kind: str = "open"  # open | stress | soak
