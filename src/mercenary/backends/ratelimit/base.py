"""The rate-limit storage contract: one counter per key and window, created with an expiry."""

from __future__ import annotations

from typing import Protocol


class RateLimitBackend(Protocol):
    """Counters shared by everyone who counts against the same key (one process with ``memory://``,
    every API process with ``redis://``). The limiter (``limiter.py``) picks the keys and windows;
    a backend only counts."""

    async def incr(self, key: str, expiry: int) -> int:
        """Add one hit to ``key``'s counter and return the new count. A counter that does not exist
        (or has expired) starts at zero and expires ``expiry`` seconds after this first hit."""
        ...

    async def ping(self) -> None:
        """Raise if the backend cannot count."""
        ...

    async def clear(self, key: str) -> None:
        """Forget ``key``'s counter."""
        ...

    async def close(self) -> None:
        """Release connections and timers."""
        ...
