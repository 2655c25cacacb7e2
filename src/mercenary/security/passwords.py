"""Argon2id password hashing with bounded concurrency.

Each hash holds ``ARGON2_MEMORY_KIB`` of memory for tens of milliseconds. At most
``PASSWORD_HASH_CONCURRENCY`` run at once (in threads: argon2-cffi releases the GIL), at most
``PASSWORD_HASH_QUEUE`` callers wait, and any further caller gets a fast 503 instead of piling up:
a burst of log-ins costs bounded memory and cannot starve the event loop.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mercenary.errors import HasherBusyError
from mercenary.settings import Settings


class PasswordHasher:
    """Hashes and verifies passwords off the event loop, a bounded number at a time."""

    def __init__(self, memory_kib: int, time_cost: int, concurrency: int, queue: int) -> None:
        self._argon = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID)
        self._slots = asyncio.Semaphore(concurrency)
        self._limit = concurrency + queue
        self._pending = 0
        # Verified against when the e-mail is unknown, so timing does not reveal which accounts exist.
        self._dummy = self._argon.hash("not-a-real-password")

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordHasher:
        """The hasher ``settings`` describe (the API's, the seed's and ``create-admin``'s alike)."""
        return cls(
            settings.ARGON2_MEMORY_KIB,
            settings.ARGON2_TIME_COST,
            settings.PASSWORD_HASH_CONCURRENCY,
            settings.PASSWORD_HASH_QUEUE,
        )

    async def _run(self, fn: object, *args: str) -> object:
        if self._pending >= self._limit:
            raise HasherBusyError("Too many sign-ins at once; retry shortly.", retry_after=1)
        self._pending += 1
        try:
            async with self._slots:
                return await asyncio.to_thread(fn, *args)  # type: ignore[arg-type]
        finally:
            self._pending -= 1

    async def hash(self, password: str) -> str:
        """An argon2id hash of ``password``."""
        result = await self._run(self._argon.hash, password)
        assert isinstance(result, str)
        return result

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; a None hash (unknown user) costs the same and is False."""
        try:
            await self._run(self._argon.verify, password_hash or self._dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return password_hash is not None
