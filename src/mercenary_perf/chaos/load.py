"""The bounded loopback load of a chaos case: writers and readers, every request recorded.

Writers create projects, each write with an ``Idempotency-Key`` of its own and a title that names
it, and retry it with the same key until it is acknowledged (201) or the case gives up: after a
503 (honouring ``Retry-After``, capped), a 409 ``idempotency_key_in_flight``, a 429, or a lost
connection. Readers read one project by id and one page of the caller's projects. Each side is a
few closed loops with a pause between requests, so the load is bounded whatever the service does.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

# What must never reach a client: a traceback, a file path, SQL or a driver's name.
LEAKS = ("Traceback", 'File "', "site-packages", "SELECT ", "INSERT INTO", "asyncpg", "sqlite3", "sqlalchemy")
RETRIED = {409, 429, 502, 503, 504}
MAX_BACKOFF_S = 0.5


@dataclass(slots=True)
class Sample:
    """One HTTP request: when it was sent (seconds since the case began), how it ended."""

    kind: str  # "write" or "read"
    sent: float
    elapsed: float
    status: int  # 0: no answer (connection refused or lost, or the client's timeout)
    code: str | None = None  # the problem's ``code``
    problem: bool = False  # an application/problem+json body
    retry_after: bool = False
    leak: bool = False

    @property
    def ended(self) -> float:
        """When the answer came (seconds since the case began)."""
        return self.sent + self.elapsed

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return 200 <= self.status < 300


@dataclass(slots=True)
class Write:
    """One logical write: its key and title, and the id the service acknowledged (if it did)."""

    key: str
    title: str
    acked: int | None = None
    attempts: int = 0


@dataclass
class Load:
    """The load of one case against ``base`` as the user whose ``token`` it holds."""

    base: str
    token: str
    project_id: int
    tag: str
    writers: int = 4
    readers: int = 4
    write_rate: float = 20.0
    read_rate: float = 40.0
    timeout_s: float = 8.0
    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    stop_new: asyncio.Event = field(default_factory=asyncio.Event)
    give_up: asyncio.Event = field(default_factory=asyncio.Event)

    def now(self) -> float:
        """Seconds since the case began."""
        return time.monotonic() - self.started

    async def request(
        self, session: aiohttp.ClientSession, kind: str, method: str, path: str, **kwargs: Any
    ) -> tuple[Sample, Any]:
        """Send one request; the sample and the JSON body (None when there was none)."""
        sent = self.now()
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        try:
            async with session.request(method, self.base + path, headers=headers, **kwargs) as resp:
                raw = await resp.read()
                sample = Sample(kind, sent, self.now() - sent, resp.status)
                sample.retry_after = "Retry-After" in resp.headers
                sample.problem = resp.headers.get("Content-Type", "").startswith("application/problem+json")
        except (aiohttp.ClientError, TimeoutError, OSError):
            self.samples.append(Sample(kind, sent, self.now() - sent, 0))
            return self.samples[-1], None
        text = raw.decode(errors="replace")
        sample.leak = any(marker in text for marker in LEAKS)
        body: Any = None
        if raw and resp.headers.get("Content-Type", "").endswith("json"):
            try:
                body = await resp.json(content_type=None)
            except ValueError:
                body = None
        if isinstance(body, dict) and sample.problem:
            sample.code = body.get("code")
        self.samples.append(sample)
        return sample, body

    async def _write(self, session: aiohttp.ClientSession, write: Write) -> None:
        payload = {"title": write.title, "description": "Written by the chaos run.", "budget": 100}
        while True:
            write.attempts += 1
            headers = {"Idempotency-Key": write.key}
            sample, body = await self.request(
                session, "write", "POST", "/api/v1/projects", json=payload, headers=headers
            )
            if sample.status == 201 and isinstance(body, dict):
                write.acked = int(body["id"])
                return
            if sample.status and sample.status not in RETRIED:
                return  # refused for what it is: retrying would not help
            if self.give_up.is_set():
                return
            backoff = MAX_BACKOFF_S if sample.status == 0 else min(MAX_BACKOFF_S, 0.1 * write.attempts)
            await asyncio.sleep(backoff)

    async def _writer(self, session: aiohttp.ClientSession) -> None:
        pause = self.writers / self.write_rate
        while not self.stop_new.is_set():
            write = Write(key=uuid.uuid4().hex, title=f"Chaos {self.tag} {len(self.writes):06d}")
            self.writes.append(write)
            await self._write(session, write)
            await asyncio.sleep(pause)

    async def _reader(self, session: aiohttp.ClientSession) -> None:
        pause = self.readers / self.read_rate
        paths = (f"/api/v1/projects/{self.project_id}", "/api/v1/projects?scope=mine&limit=5")
        turn = 0
        while not self.stop_new.is_set():
            turn += 1
            await self.request(session, "read", "GET", paths[turn % 2])
            await asyncio.sleep(pause)

    async def run(self, until_stopped: asyncio.Event) -> None:
        """Run the loops until ``until_stopped`` is set; then let the writers finish their pending
        write (each retries until it is acknowledged or ``give_up`` is set)."""
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        connector = aiohttp.TCPConnector(limit=self.writers + self.readers + 4)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            loops = [asyncio.create_task(self._writer(session)) for _ in range(self.writers)]
            loops += [asyncio.create_task(self._reader(session)) for _ in range(self.readers)]
            await until_stopped.wait()
            self.stop_new.set()
            await asyncio.gather(*loops)


def window(samples: list[Sample], start: float, end: float) -> list[Sample]:
    """The samples sent within [start, end)."""
    return [s for s in samples if start <= s.sent < end]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]
