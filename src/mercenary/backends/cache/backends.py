"""The cache's storage, chosen by URL, from cashews' backends.

``memory://`` is one process's LRU. ``redis://`` is Redis (L2) with an in-process copy (L1) of every
value this process has read, kept coherent by Redis' client-side caching in broadcast mode: Redis
tells every API process when a key under our prefix changes and the process drops its copy
(``CLIENT TRACKING ... BCAST``, Redis >= 6; cashews' ``BcastClientSide``). A hit costs no round trip.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from cashews.backends.interface import Backend
from cashews.backends.memory import Memory
from cashews.backends.redis.client_side import BcastClientSide
from cashews.picklers import PicklerType
from cashews.serialize import get_serializer

from mercenary.backends.cache.signing import PinnedSigner

log = logging.getLogger("mercenary.cache")

# Entries the in-process level holds: a project is ~2 kB, a page of 20 ~10 kB, so a few thousand of
# them stay well inside the API's 150 MB budget. Expired entries go on read, by LRU, and by a sweep
# every SWEEP_S (cashews' default sweeps every second, walking every key).
LOCAL_ENTRIES = 5_000
SWEEP_S = 15.0


class _Local(Memory):
    """The in-process level (the whole cache with ``memory://``)."""

    async def forget_local(self, keys: list[str]) -> None:
        """Drop ``keys`` from this process (entries nobody can read any more)."""
        for key in keys:
            await self.delete(key)


# Every wait on Redis (connecting, reading an answer, waiting for a pooled connection) gives up after
# this, and a failed command is not retried (cashews builds the pool's connections with no retries,
# where redis-py's own client default would retry a timeout ten times): a Redis that stops answering
# costs a request at most about one SOCKET_TIMEOUT_S before it is served from the database
# (RES-2: outbound calls <= 1 s; tests/backends/test_cache_timeouts.py).
SOCKET_TIMEOUT_S = 0.5


class _ClientSide(BcastClientSide):
    """cashews' client-side backend, made to start when Redis is down.

    Upstream gives up listening for invalidations if Redis does not answer during ``init`` (its
    listener is cancelled, and the local level stays off until a restart). Here the listener keeps
    retrying instead, so the local level comes back by itself when Redis does; until then every read
    goes to Redis, fails, and the caller serves from the database (fail open).
    """

    async def init(self) -> None:
        try:
            await super().init()  # type: ignore[no-untyped-call]
        except Exception:
            log.warning("cache: Redis does not answer; serving from the database until it does")
            listener = self._listen_invalidate_forever()  # type: ignore[no-untyped-call]
            self._listen_task = asyncio.create_task(listener)  # type: ignore[assignment]

    async def forget_local(self, keys: list[str]) -> None:
        """Drop this process's copies of ``keys`` (Redis lets them expire)."""
        for key in keys:
            await self._local_cache.delete(key)

    async def set(self, key: str, value: Any, expire: float | None = None, exist: bool | None = None) -> bool:
        """``SET``; when a conditional set is refused (``NX`` on a key another process created), the
        local copy is dropped too, so the next read fetches the winner's value from Redis instead of
        the "missing" marker upstream leaves behind."""
        done = bool(await super().set(key, value, expire, exist))
        if not done:
            await self._local_cache.delete(key)
        return done

    async def set_many(self, pairs: Mapping[str, Any], expire: float | None = None) -> None:
        """Several keys in one ``MSET`` (keys without expiry: the store's version tokens, written on
        every invalidation). Upstream wraps them in a ``MULTI``/``EXEC`` pipeline, which costs this
        process more CPU than one command for the same atomicity (a project post: 4.1 M instructions
        with the pipeline, 3.5 M with MSET, 2.7 M with the in-process cache, in-process under callgrind)."""
        if expire is not None:
            await super().set_many(pairs, expire)
            return
        await self._local_cache.set_many(pairs)
        encoded: dict[str, Any] = {}
        for key, value in pairs.items():
            await self._mark_as_recently_updated(key)
            full = self._prefix + key  # the signature covers the key as stored in Redis
            encoded[full] = await self._serializer.encode(self, key=full, value=value, expire=None)
        await self._client.mset(encoded)


def open_backend(url: str, prefix: str, secret: str | Sequence[str]) -> Backend:
    """The (not yet initialised) backend for ``url``: ``memory://`` or ``redis://host:port/db``.

    Values travel to Redis pickled and signed with the first key of ``secret`` (HMAC-SHA256,
    ``signing.py``; the others are older keys still accepted): a value that someone else wrote into
    Redis is refused, never unpickled."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return _Local(size=LOCAL_ENTRIES, check_interval=SWEEP_S)
    if scheme in ("redis", "rediss"):
        options: dict[str, Any] = {
            "suppress": False,  # errors reach the store, which counts them and fails open
            "socket_timeout": SOCKET_TIMEOUT_S,
            "socket_connect_timeout": SOCKET_TIMEOUT_S,
            "max_connections": 20,
            "wait_for_connection_timeout": SOCKET_TIMEOUT_S,
            "client_name": "mercenary",
            # redis-py 8 speaks RESP3 by default, where Redis pushes invalidations as RESP3 push
            # messages that cashews' listener never reads: the local copies would never be dropped
            # (the cross-process test catches it). On RESP2 they arrive on __redis__:invalidate.
            "protocol": 2,
        }
        serializer = get_serializer(pickle_type=PicklerType.DEFAULT)
        serializer.set_signer(PinnedSigner([secret] if isinstance(secret, str) else secret))
        return _ClientSide(
            url,
            local_cache=Memory(size=LOCAL_ENTRIES, check_interval=SWEEP_S),
            client_side_prefix=prefix,
            serializer=serializer,
            **options,
        )
    raise ValueError(f"unsupported cache URL scheme {scheme!r}; use memory:// or redis://")
