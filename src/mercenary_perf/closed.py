"""Closed-loop measurement: a fixed number of connections, each sending as soon as it is answered.

This is how peak throughput is measured (``wrk``), and it is exactly the measurement that
suffers coordinated omission: while the server stalls, no requests are sent, so the stall
is counted once per connection instead of once per request that should have gone out.
It lives here to show that difference and to drive ``wrk`` for peak figures.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import aiohttp

from mercenary_perf.stats import Series, classify

WRK_MISSING = (
    "wrk is not installed: closed-loop peak figures are unavailable "
    "(install it with `apt-get install -y wrk`); open-loop runs are unaffected."
)


async def run_closed_loop(
    url: str, *, connections: int, duration_s: float, timeout_s: float = 10.0
) -> Series:
    """Hammer ``url`` from ``connections`` workers for ``duration_s``; time each send to its answer."""
    series = Series()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + duration_s
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=timeout_s)
    ) as http:

        async def worker() -> None:
            while loop.time() < deadline:
                start = loop.time()
                status: int | None = None
                error: str | None = None
                try:
                    async with http.get(url) as resp:
                        status = resp.status
                        await resp.read()
                except TimeoutError:
                    error = "timeout"
                except (aiohttp.ClientError, OSError):
                    error = "connection"
                latency = int((loop.time() - start) * 1e6)
                series.record(latency, classify(status, error), status)

        await asyncio.gather(*(worker() for _ in range(connections)))
    return series


@dataclass
class WrkResult:
    """Peak throughput and latency as reported by wrk."""

    requests_per_s: float
    latency_ms: dict[str, float]
    requests: int
    non_2xx: int
    socket_errors: int
    raw: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (without the raw output)."""
        return {
            "requests_per_s": self.requests_per_s,
            "latency_ms": self.latency_ms,
            "requests": self.requests,
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
        }


def wrk_available() -> bool:
    """True when the ``wrk`` binary is on PATH."""
    return shutil.which("wrk") is not None


def run_wrk(
    url: str,
    *,
    connections: int = 64,
    threads: int = 1,
    duration_s: int = 10,
    headers: list[str] | None = None,
    cpu: int | None = None,
) -> WrkResult:
    """Run wrk against ``url`` (closed loop, peak throughput); raises RuntimeError when wrk is missing."""
    if not wrk_available():
        raise RuntimeError(WRK_MISSING)
    cmd = ["wrk", f"-t{threads}", f"-c{max(connections, threads)}", f"-d{duration_s}s", "--latency"]
    for h in headers or []:
        cmd += ["-H", h]
    cmd.append(url)
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration_s + 30, check=True).stdout
    return parse_wrk(out)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _to_ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"unrecognised wrk latency {text!r}")
    return round(float(m.group(1)) * _UNITS[m.group(2)], 3)


def parse_wrk(out: str) -> WrkResult:
    """Parse the text output of ``wrk --latency``."""
    lat: dict[str, float] = {}
    for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M):
        lat[f"p{pct}"] = _to_ms(value)
    m_avg = re.search(r"^\s+Latency\s+(\S+)\s+\S+\s+(\S+)", out, re.M)
    if m_avg:
        lat["mean"] = _to_ms(m_avg.group(1))
        lat["max"] = _to_ms(m_avg.group(2))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return WrkResult(
        requests_per_s=float(rps.group(1)) if rps else 0.0,
        latency_ms=lat,
        requests=int(total.group(1)) if total else 0,
        non_2xx=int(non2xx.group(1)) if non2xx else 0,
        socket_errors=sum(int(x) for x in sock.groups()) if sock else 0,
        raw=out,
    )
