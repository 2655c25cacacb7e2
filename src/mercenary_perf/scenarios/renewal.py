"""Keeping the prepared users signed in through a long run.

Setup logs a few users in and the traffic uses their access tokens. An access token lives
``expires_in`` seconds (15 min by default), so a soak of half an hour sent every authenticated
request of its second half with an expired token: a run of 401s that measured nothing. A real
client refreshes its token before it expires; so does the pool: once 60 % of the token's life has
passed, the next draw of a token starts one background renewal, which rotates every prepared
user's refresh token (``POST /api/v1/auth/refresh``) and swaps the new access tokens in.

Renewals go over a client of their own, outside the measured traffic: one request per prepared
user per renewal (20 users every 9 minutes by default), a rate too small to matter. A failed
renewal is tried again after :data:`RETRY_S` and counted in the run's notes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import MutableSequence
from typing import Any

import aiohttp

# The share of a token's life after which it is renewed, and how soon a failed renewal is retried.
RENEW_AT = 0.6
RETRY_S = 10.0

Pair = tuple[dict[str, Any], str]


class Renewer:
    """Renews the access tokens of the users in the lists given to :meth:`poke`."""

    def __init__(
        self,
        base_url: str,
        refresh_tokens: dict[Any, str],
        expires_in_s: float,
        timeout_s: float,
        notes: list[str] | None = None,
    ) -> None:
        self.base_url = base_url
        self.notes = notes if notes is not None else []
        self.refresh_tokens = dict(refresh_tokens)
        self.expires_in_s = expires_in_s
        self.timeout_s = timeout_s
        self.due = time.monotonic() + expires_in_s * RENEW_AT
        self.renewed = 0
        self.failed = 0
        self._task: asyncio.Task[None] | None = None

    def poke(self, *pairs: MutableSequence[Pair]) -> None:
        """Start a renewal of ``pairs`` (lists of (user, token), updated in place) when one is due
        and none is under way. Cheap when none is due: called on every draw of a token."""
        if self._task is None and time.monotonic() >= self.due:
            self._task = asyncio.get_running_loop().create_task(self._renew(pairs))

    async def _renew(self, lists: tuple[MutableSequence[Pair], ...]) -> None:
        started = time.monotonic()
        renewed, failed = self.renewed, self.failed
        ok = True
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout_s)
            async with aiohttp.ClientSession(self.base_url, timeout=timeout) as http:
                for pairs in lists:
                    for i, (user, _) in enumerate(list(pairs)):
                        access = await self._one(http, user.get("id"))
                        if access is None:
                            ok = False
                        else:
                            pairs[i] = (user, access)
        except (aiohttp.ClientError, OSError, TimeoutError):
            ok = False
        finally:
            self.due = started + (self.expires_in_s * RENEW_AT if ok else RETRY_S)
            self._task = None
            self.notes.append(
                f"access tokens renewed: {self.renewed - renewed} users"
                + (f", {self.failed - failed} failed (retried in {RETRY_S:g} s)" if not ok else "")
            )

    async def _one(self, http: aiohttp.ClientSession, user_id: Any) -> str | None:
        refresh = self.refresh_tokens.get(user_id)
        if refresh is None:
            return None
        try:
            async with http.post("/api/v1/auth/refresh", json={"refresh_token": refresh}) as resp:
                data = await resp.json(content_type=None) if resp.status == 200 else None
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            self.failed += 1
            return None
        self.refresh_tokens[user_id] = str(data["refresh_token"])
        self.expires_in_s = float(data.get("expires_in") or self.expires_in_s)
        self.renewed += 1
        return str(data["access_token"])
