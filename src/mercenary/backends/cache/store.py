"""Read-through caching with versioned keys, jittered TTLs, one load per key, stale-if-error and
fail-open, over the storage of ``backends.py`` (CACHE-3..7).

Every cached object has a *version token* of its own (``<name>:ver:<key>``), and its value is stored
under a key that includes the token. Invalidating an object replaces its token (after the write has
committed): every process reads the new token and misses, so no process can serve the old value once
the new token has reached it, and a slow reader that loaded the old value before the write can only
store it under the old token, which nobody reads any more (the classic read-through race is closed).
With Redis, the token is tracked like any key: a process's local copy of it is dropped as soon as
Redis broadcasts the change. A whole family of entries (the pages of a list, say) shares one token,
so one replacement invalidates all of them.

An entry carries the time until which it is fresh. Past it, the next reader reloads; if the load
fails with a database error, the stale value is served instead (stale-if-error, for up to
``stale_for`` seconds past freshness) and counted. A cache that fails (Redis down or slow) is
bypassed for a short while (its circuit breaker opens, ``breaker.py``, then one read probes it),
counted, and every request is served from the database: a cache error is never a client error.

Why a small module of ours over cashews' decorators: the decorators bind to a module-level cache
and to key templates over function arguments, while Mercenary's services receive their backends
from the composition root (tests run many apps with different backends in one process), and the
versioned keys and stale-if-error here need both the token and the entry in one read path.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from cashews.backends.interface import Backend

from mercenary.backends.breaker import CircuitBreaker
from mercenary.backends.cache.backends import open_backend
from mercenary.db.replica import on_primary

log = logging.getLogger("mercenary.cache")

T = TypeVar("T")

# After a failure the store leaves the backend alone this long, serving from the database.
BYPASS_AFTER_ERROR_S = 1.0
# A version token: random, so one evicted or lost from the backend can never be re-created equal
# to a token some stale entry was stored under.
TOKEN_BYTES = 6


class AfterCommit(Protocol):
    """What a transaction's connection offers for work that must wait for COMMIT (db/hooks.py)."""

    def after_commit(self, hook: Callable[[], Awaitable[None]], /) -> None:
        """Run ``hook`` once the transaction has committed."""
        ...


# Tells whether an exception is a failure of the source of truth worth serving stale for.
Transient = Callable[[BaseException], bool]


def _never(_exc: BaseException) -> bool:
    return False


@dataclass(frozen=True)
class CacheSpec:
    """One kind of cached value: its name (the key prefix and the counters' label), its TTL, and
    how long a value may be served past it when the database fails."""

    name: str
    ttl: float
    version: int = 1  # bump when the cached shape changes: old entries are then never read
    stale_for: float = 0.0
    # A loader that returns None (no such object) is cached this long, a few seconds at most
    # (CACHE-5); 0 caches no absence (for objects whose creation does not invalidate their key).
    negative_ttl: float = 5.0
    jitter: float = 0.2  # +-20 % on every TTL, so entries filled together do not expire together

    def __post_init__(self) -> None:
        if self.negative_ttl > 5.0:
            raise ValueError("a missing object is cached for at most 5 s (CACHE-5)")


@dataclass
class CacheCounters:
    """What one kind of cached value did: served from the cache (``hits``), loaded (``misses``),
    served stale because the load failed (``stale``), and backend failures bypassed (``errors``)."""

    hits: int = 0
    misses: int = 0
    stale: int = 0
    errors: int = 0

    @property
    def hit_ratio(self) -> float:
        """Hits over reads; 0 before any read."""
        reads = self.hits + self.misses
        return self.hits / reads if reads else 0.0


@dataclass
class CacheStore:
    """The API process's cache: read-through by key, invalidation after commit, counters per kind."""

    backend: Backend
    transient: Transient = _never
    counters: dict[str, CacheCounters] = field(default_factory=dict)
    _inflight: dict[str, asyncio.Future[Any]] = field(default_factory=dict)
    _pending: set[tuple[CacheSpec, str]] = field(default_factory=set)
    # For each list family: the tokens last seen and the entries stored under them. When a family's
    # token changes (a write here or in another process), its old pages can never be read again:
    # they are dropped from this process at once rather than left to fill the LRU (each market write
    # would otherwise leave a page of 20 projects behind).
    _families: dict[tuple[str, str], tuple[str, set[str]]] = field(default_factory=dict)
    # Open after a backend failure: reads go to the database until a probe finds the backend again.
    breaker: CircuitBreaker = field(default_factory=lambda: CircuitBreaker("cache", BYPASS_AFTER_ERROR_S))

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        secret: str | Sequence[str],
        prefix: str = "mercenary:",
        transient: Transient = _never,
    ) -> CacheStore:
        """The store for ``url`` (``memory://`` or ``redis://``), initialised. Redis being down at
        start is not an error: the store bypasses it until it answers."""
        backend = open_backend(url, prefix, secret)
        store = cls(backend, transient)
        try:
            await backend.init()  # type: ignore[no-untyped-call]
        except Exception:
            store._failed("init", "*")
        return store

    async def close(self) -> None:
        """Release the backend's connections."""
        try:
            await self.backend.close()  # type: ignore[no-untyped-call]
        except Exception:  # closing a backend that never connected
            log.debug("cache: close failed", exc_info=True)
        # cashews leaves the Redis pool's sockets open when the backend's listener is still starting
        # (seen under pytest): disconnect them explicitly; a no-op when they are closed already.
        client = getattr(self.backend, "_client", None)
        if client is not None:
            await client.connection_pool.disconnect()

    async def ping(self) -> None:
        """Raise if the backend does not answer."""
        await self.backend.ping()

    def stats(self, name: str) -> CacheCounters:
        """The counters of the kind ``name``."""
        found = self.counters.get(name)
        if found is None:
            found = self.counters[name] = CacheCounters()
        return found

    # -- reading -----------------------------------------------------------------------------------

    async def get(
        self,
        spec: CacheSpec,
        key: str,
        load: Callable[[], Awaitable[T | None]],
        *,
        family: str | None = None,
        depends: tuple[tuple[CacheSpec, str], ...] = (),
    ) -> T | None:
        """The value of ``key``: from the cache when fresh, else ``load()``ed (once per key in this
        process however many callers miss together) and stored. ``None`` from ``load`` means "no such
        object" and is cached for ``spec.negative_ttl``.

        The entry is invalidated by ``invalidate(spec, family)`` (``family`` defaults to ``key``; the
        pages of one list share a family) and by ``invalidate(s, f)`` for each ``(s, f)`` in
        ``depends`` (e.g. a project's entry depends on the skill taxonomy, whose slugs it shows)."""
        counters = self.stats(spec.name)
        if self._pending:
            await self._retry_pending()
        breaker = self.breaker
        # Closed (0) is the common case: one attribute read, no call. Open: fail open, the
        # database answers while the cache cannot.
        if breaker.state and not breaker.allow():
            counters.misses += 1
            with on_primary():
                return await load()
        try:
            tokens = [await self._token(spec, key if family is None else family)]
            for other, other_family in depends:
                tokens.append(await self._token(other, other_family))
            joined = ".".join(tokens)
            entry_key = f"{spec.name}:{spec.version}:{key}:{joined}"
            if family is not None:
                await self._track(spec.name, family, joined, entry_key)
            entry = await self.backend.get(entry_key)
        except Exception:
            self._failed("get", f"{spec.name}:{key}")
            counters.errors += 1
            counters.misses += 1
            with on_primary():
                return await load()
        if breaker.state:  # the half-open probe succeeded
            breaker.success()
        if entry is not None and entry[0] > time.time():
            counters.hits += 1
            value: T | None = entry[1]
            return value
        counters.misses += 1
        return await self._single_flight(spec, entry_key, entry, load)

    async def _single_flight(
        self, spec: CacheSpec, entry_key: str, stale: Any, load: Callable[[], Awaitable[T | None]]
    ) -> T | None:
        running = self._inflight.get(entry_key)
        if running is not None:
            result: T | None = await asyncio.shield(running)
            return result
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[entry_key] = future
        try:
            value = await self._load(spec, entry_key, stale, load)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a load nobody else waited for is not "never retrieved"
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._inflight[entry_key]

    async def _load(
        self, spec: CacheSpec, entry_key: str, stale: Any, load: Callable[[], Awaitable[T | None]]
    ) -> T | None:
        try:
            with on_primary():  # an entry outlives the request: never filled from a lagging replica
                value = await load()
        except Exception as exc:
            if stale is not None and stale[0] + spec.stale_for > time.time() and self.transient(exc):
                self.stats(spec.name).stale += 1
                log.warning(
                    "cache: serving a stale %s: the database failed (%s)", spec.name, type(exc).__name__
                )
                served: T | None = stale[1]
                return served
            raise
        ttl = spec.ttl if value is not None else spec.negative_ttl
        if ttl <= 0:
            return value
        ttl *= random.uniform(1 - spec.jitter, 1 + spec.jitter)
        try:
            await self.backend.set(entry_key, (time.time() + ttl, value), expire=ttl + spec.stale_for)
        except Exception:
            self._failed("set", entry_key)
            self.stats(spec.name).errors += 1
        return value

    async def _track(self, name: str, family: str, tokens: str, entry_key: str) -> None:
        seen = self._families.get((name, family))
        if seen is not None and seen[0] == tokens:
            seen[1].add(entry_key)
            return
        self._families[(name, family)] = (tokens, {entry_key})
        if seen is not None:
            forget = getattr(self.backend, "forget_local", None)
            if forget is not None:
                await forget(sorted(seen[1]))

    async def _token(self, spec: CacheSpec, family: str) -> str:
        version_key = f"{spec.name}:ver:{family}"
        token = await self.backend.get(version_key)
        if token is None:
            token = secrets.token_hex(TOKEN_BYTES)
            # Whoever creates the token first wins; the others read theirs back.
            if not await self.backend.set(version_key, token, exist=False):
                token = await self.backend.get(version_key)
                if token is None:  # vanished in between (evicted): nothing reads an unknown token
                    token = secrets.token_hex(TOKEN_BYTES)
        return str(token)

    # -- invalidating ------------------------------------------------------------------------------

    async def invalidate(self, spec: CacheSpec, family: str) -> None:
        """Make every entry of ``family`` (one object's key, or a list's family) unreadable, in every
        process sharing the backend. Call it after the write has committed (``invalidate_after_commit``).

        If the backend fails, the invalidation is kept and retried before this process reads the
        cache again (other processes stop serving the entry at the latest when it expires)."""
        await self.invalidate_many(((spec, family),))

    async def invalidate_many(self, pairs: Iterable[tuple[CacheSpec, str]]) -> None:
        """``invalidate`` for each ``(spec, family)`` of ``pairs``, in one round trip to the backend
        (a Redis command costs ~0.25 ms of this process's CPU through redis-py's asyncio client:
        a project post invalidates three families, so one pipeline instead of three commands)."""
        pairs = tuple(pairs)
        tokens = {f"{spec.name}:ver:{family}": secrets.token_hex(TOKEN_BYTES) for spec, family in pairs}
        try:
            await self.backend.set_many(tokens)
        except Exception:
            self._failed("invalidate", ", ".join(tokens))
            for spec, family in pairs:
                self.stats(spec.name).errors += 1
                self._pending.add((spec, family))
        else:
            self.breaker.success()

    async def _retry_pending(self) -> None:
        if not self.breaker.allow():
            return
        pending, self._pending = self._pending, set()
        await self.invalidate_many(pending)

    def invalidate_after_commit(self, conn: AfterCommit, spec: CacheSpec, *families: str) -> None:
        """Invalidate ``families`` once ``conn``'s transaction has committed (never if it rolls back)."""
        self.invalidate_many_after_commit(conn, [(spec, family) for family in families])

    def invalidate_many_after_commit(self, conn: AfterCommit, pairs: list[tuple[CacheSpec, str]]) -> None:
        """``invalidate_many(pairs)`` once ``conn``'s transaction has committed."""

        async def purge() -> None:
            await self.invalidate_many(pairs)

        conn.after_commit(purge)

    def _failed(self, what: str, key: str) -> None:
        self.breaker.failure(BYPASS_AFTER_ERROR_S)  # the module's value, read now (tests shorten it)
        log.warning(
            "cache: %s failed for %s; serving from the database for %.0f s", what, key, BYPASS_AFTER_ERROR_S
        )
