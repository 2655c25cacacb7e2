"""What a scenario is: its traffic (shape + flow), its thresholds, and the requirements it cites."""

from __future__ import annotations

import asyncio
import math
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
    # What tokens() learned for renewing the tokens during the run: refresh tokens by user id, and
    # the shortest access-token life answered (seconds).
    refresh_tokens: dict[Any, str] = field(default_factory=dict)
    expires_in_s: float | None = None

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
        pair = await self.login_pair(email)
        return None if pair is None else pair["access_token"]

    async def login_pair(self, email: str) -> dict[str, Any] | None:
        """Log a seeded user in during setup; the token pair answered, or None."""
        body = {"email": email, "password": SEED_PASSWORD}
        try:
            async with self.http.post("/api/v1/auth/login", json=body) as resp:
                data = await resp.json(content_type=None) if resp.status == 200 else None
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            return None
        return data

    async def tokens(self, n: int, role: str | None = None) -> list[tuple[dict[str, Any], str]]:
        """Log in up to ``n`` sampled users (of ``role``), a few at a time; pairs of (user row, token).
        Their refresh tokens are kept in :attr:`refresh_tokens` (``renewal.py``)."""
        users = self.dataset.users_with_role(role) if role else list(self.dataset.users)
        chosen = self.rng.sample(users, min(n, len(users)))
        sem = asyncio.Semaphore(4)  # logins are deliberately slow (argon2id): do not storm setup

        async def one(user: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
            async with sem:
                pair = await self.login_pair(str(user["email"]))
            if pair is None:
                return None
            if isinstance(pair.get("refresh_token"), str):
                self.refresh_tokens[user.get("id")] = pair["refresh_token"]
            if isinstance(pair.get("expires_in"), int | float):
                self.expires_in_s = min(self.expires_in_s or math.inf, float(pair["expires_in"]))
            return (user, str(pair["access_token"]))

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
