"""The open-loop generator: arrivals on a fixed schedule, latency from the intended send time.

Each arrival starts a *flow* (one or more dependent requests, e.g. list then paginate).
The first request of a flow is timed from the moment the schedule said it should go out,
so when the server stalls, the requests that should have been sent during the stall carry
the stall in their latency (no coordinated omission). A later request in a flow depends on
the answer before it, so its intended time is the moment that answer arrived.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from mercenary_perf.shapes import Shape
from mercenary_perf.stats import Recorder

FOLD_EVERY = 2000  # dispatches between folding old per-second histograms


@dataclass
class Response:
    """What a flow sees of one answer: status (None on transport failure) and parsed JSON."""

    status: int | None
    data: Any = None
    outcome: str = "ok"

    @property
    def ok(self) -> bool:
        """True for a 2xx/3xx answer."""
        return self.outcome == "ok"


class Session:
    """One arrival's handle on the HTTP client; every request it makes is recorded."""

    def __init__(self, http: aiohttp.ClientSession, run: _Run, intended: float) -> None:
        self._http = http
        self._run = run
        self._next_start: float | None = intended
        self.intended = intended
        self.failed = False  # set when any request of this flow did not succeed

    async def request(
        self,
        name: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request, record it under endpoint ``name`` and return its answer."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        # Late dispatch: time from the intended moment. Early dispatch (timer slack): from now.
        start = now if self._next_start is None else min(self._next_start, now)
        self._next_start = None
        status: int | None = None
        error: str | None = None
        data: Any = None
        try:
            async with self._http.request(
                method, path, json=json, params=params, headers={**self._run.headers, **(headers or {})}
            ) as resp:
                status = resp.status
                if resp.content_type.endswith("json"):
                    data = await resp.json(content_type=None)
                else:
                    await resp.read()
        except TimeoutError:
            error = "timeout"
        except (aiohttp.ClientError, OSError, ValueError):
            error = "connection"
        end = loop.time()
        outcome = self._run.recorder.record(
            name, start - self._run.t0, int((end - start) * 1e6), status, error
        )
        self.failed = self.failed or outcome != "ok"
        return Response(status, data, outcome)

    def finish_flow(self, name: str) -> None:
        """Record the whole flow so far (intended start to now) under ``name``."""
        latency = asyncio.get_running_loop().time() - self.intended
        self._run.recorder.record_flow(name, int(latency * 1e6), self.failed)


Flow = Callable[[Session], Awaitable[None]]


@dataclass
class _Run:
    recorder: Recorder
    headers: dict[str, str]
    t0: float = 0.0
    flow_errors: Counter[str] = field(default_factory=Counter)


@dataclass
class RunResult:
    """The outcome of one open-loop run."""

    recorder: Recorder
    shape: Shape
    started_at: float
    elapsed_s: float
    flow_errors: dict[str, int]
    unfinished: int


async def run_open_loop(
    base_url: str,
    shape: Shape,
    flow: Flow,
    *,
    timeout_s: float = 10.0,
    connections: int = 512,
    headers: Mapping[str, str] | None = None,
    recorder: Recorder | None = None,
) -> RunResult:
    """Drive ``flow`` at the arrival times of ``shape`` against ``base_url``; always stops by itself."""
    run = _Run(recorder or Recorder(), dict(headers or {}))
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections, ttl_dns_cache=3600)
    client_timeout = aiohttp.ClientTimeout(total=timeout_s)
    started_at = time.time()
    tasks: set[asyncio.Task[None]] = set()
    # aiohttp asks for gzip like any real client, and the service compresses bodies of 1 KB or more
    # (API-4): the generator decompresses them to read the JSON its flows follow.
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=client_timeout) as http:
        run.t0 = loop.time() + 0.05
        for n, offset in enumerate(shape.times(), start=1):
            target = run.t0 + offset
            await asyncio.sleep(max(0.0, target - loop.time()))
            run.recorder.record_lag(int((loop.time() - target) * 1e6))
            task = loop.create_task(_run_flow(flow, Session(http, run, target), run))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            if n % FOLD_EVERY == 0:
                run.recorder.fold(int(offset - timeout_s) - 2)
        if tasks:
            await asyncio.wait(set(tasks), timeout=timeout_s * 2 + 1)
        unfinished = len(tasks)
        for task in list(tasks):
            task.cancel()
        if tasks:
            await asyncio.wait(set(tasks), timeout=2)
        elapsed = loop.time() - run.t0
    return RunResult(run.recorder, shape, started_at, elapsed, dict(run.flow_errors), unfinished)


async def _run_flow(flow: Flow, session: Session, run: _Run) -> None:
    try:
        await flow(session)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a scenario bug or an unexpected body: count it, never crash the run
        run.flow_errors[f"{type(exc).__name__}: {exc}"[:160]] += 1


def get_flow(path: str, name: str = "GET") -> Flow:
    """A flow that sends one GET to ``path`` (the generic single-URL mode)."""

    async def flow(session: Session) -> None:
        await session.request(name, "GET", path)

    return flow
