"""The composition root: what the app's lifespan opens for a process, and closes after it.

Routes reach it through ``web/deps.py``; nothing below ``web/`` imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mercenary.backends.blobs import BlobStore
from mercenary.backends.blobs import from_url as open_blobs
from mercenary.backends.cache import CacheStore
from mercenary.backends.queue import JobQueue
from mercenary.backends.ratelimit import RateLimiter
from mercenary.db import Database, is_transient, open_database
from mercenary.idempotency.store import IdempotencyKeys
from mercenary.security.passwords import PasswordHasher
from mercenary.security.tokens import TokenService
from mercenary.settings import Settings
from mercenary.web.limits import RatePolicy
from mercenary.web.overload import LoadMonitor
from mercenary.web.pagination import CursorCodec


@dataclass
class AppState:
    """Everything a request may need: the settings and the backends they chose."""

    settings: Settings
    db: Database
    cache: CacheStore
    hasher: PasswordHasher
    tokens: TokenService
    cursors: CursorCodec
    limiter: RateLimiter
    rate_policy: RatePolicy
    idempotency: IdempotencyKeys
    queue: JobQueue
    overload: LoadMonitor
    blobs: BlobStore

    @classmethod
    async def open(cls, settings: Settings) -> AppState:
        """Connect the database and open the cache and the job queue chosen by ``settings``."""
        db = open_database(settings)
        await db.connect()
        return cls(
            settings=settings,
            db=db,
            cache=await CacheStore.open(
                settings.cache_url,
                secret=settings.secret_keys,
                prefix=settings.CACHE_PREFIX,
                transient=is_transient,
            ),
            hasher=PasswordHasher.from_settings(settings),
            tokens=TokenService(
                settings.secret_keys,
                settings.ACCESS_TOKEN_TTL_S,
                issuer=settings.JWT_ISSUER,
                audience=settings.JWT_AUDIENCE,
            ),
            cursors=CursorCodec(settings.secret_keys),
            limiter=RateLimiter.open(settings.rate_limit_url, settings.CACHE_PREFIX),
            rate_policy=RatePolicy.from_settings(settings),
            idempotency=IdempotencyKeys(
                db,
                settings.SECRET_KEY,
                ttl_s=settings.IDEMPOTENCY_TTL_S,
                lock_s=settings.IDEMPOTENCY_LOCK_S,
            ),
            queue=JobQueue.open(settings, db),
            overload=LoadMonitor(db, settings, pool_waits=db.dialect.name != "sqlite"),
            blobs=open_blobs(settings.BLOB_URL),
        )

    async def close(self) -> None:
        """Close the backends, the cache first (it may still be flushing)."""
        await self.overload.stop()
        await self.cache.close()
        await self.limiter.close()
        await self.idempotency.close()
        await self.blobs.close()
        await self.queue.close()  # its last sends delete outbox rows: before the database
        await self.db.close()
