"""One typed settings object, read from the environment and validated at start-up.

Every backend is picked by a URL (``DATABASE_URL``, ``CACHE_URL``/``REDIS_URL``); nothing else
branches on the backend. Outside development, insecure defaults are refused.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me-0123456789"  # noqa: S105 (refused in production)


class InsecureSettingsError(ValueError):
    """Raised when production settings keep a development default."""


class Settings(BaseSettings):
    """Configuration of one Mercenary process (API or worker)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=True, extra="ignore", frozen=True)

    MERCENARY_ENV: Literal["development", "production", "test"] = "development"
    SECRET_KEY: str = Field(default=DEV_SECRET_KEY, min_length=32)

    # Storage. The async driver suffix is optional: sqlite:///var/x.db or postgresql://u@h/db.
    DATABASE_URL: str = "sqlite:///var/mercenary.db"
    DB_POOL_SIZE: int = Field(default=10, ge=1, le=200)
    # Every process that opens a pool of DB_POOL_SIZE on this database, across all instances
    # (instances x workers, plus job workers): at start-up on PostgreSQL, DB_POOL_SIZE x this is
    # checked against 80 % of max_connections (DB-6, db/postgres.py).
    DB_POOL_PROCESSES: int = Field(default=1, ge=1, le=10_000)
    DB_STATEMENT_TIMEOUT_MS: int = Field(default=800, ge=1, le=60_000)
    # How the timeout reaches the server: "startup" (per connection, free) for a direct connection;
    # "transaction" (SET LOCAL with each BEGIN) behind PgBouncer in transaction mode (db/postgres.py).
    DB_STATEMENT_TIMEOUT_MODE: Literal["startup", "transaction"] = "startup"
    # Statements slower than this are logged at WARNING on "mercenary.db.slow" (0 logs every one).
    DB_SLOW_STATEMENT_MS: int = Field(default=200, ge=0)
    # asyncpg's prepared-statement cache. Turn it off (0) behind PgBouncer in transaction mode.
    DB_STATEMENT_CACHE_SIZE: int = Field(default=256, ge=0)
    SQLITE_BUSY_TIMEOUT_MS: int = Field(default=5_000, ge=0)

    # Cache: memory:// (in-process) or redis://. Defaults to REDIS_URL when that is set.
    REDIS_URL: str | None = None
    CACHE_URL: str | None = None
    # Every key this deployment writes starts with it (one Redis may serve several deployments).
    CACHE_PREFIX: str = Field(
        default="mercenary:", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"
    )

    # Auth.
    ACCESS_TOKEN_TTL_S: int = Field(default=900, ge=30, le=86_400)
    REFRESH_TOKEN_TTL_S: int = Field(default=30 * 86_400, ge=60)
    # Argon2id (OWASP 2023 profile: 19 MiB, t=2, p=1). At most PASSWORD_HASH_CONCURRENCY hashes run at once
    # and at most PASSWORD_HASH_QUEUE wait, so a login burst cannot exhaust a 1 GB VM's memory.
    ARGON2_MEMORY_KIB: int = Field(default=19_456, ge=8_192)
    ARGON2_TIME_COST: int = Field(default=2, ge=1)
    PASSWORD_HASH_CONCURRENCY: int = Field(default=2, ge=1, le=32)
    PASSWORD_HASH_QUEUE: int = Field(default=64, ge=0)

    # HTTP.
    MAX_BODY_BYTES: int = Field(default=1_048_576, ge=1_024)
    # gzip level for response bodies of 1 KB or more (API-4); 0 turns it off (a proxy compresses).
    GZIP_LEVEL: int = Field(default=1, ge=0, le=9)
    # The server (``mercenary serve``, serving.py). An idle keep-alive connection is closed after
    # HTTP_KEEP_ALIVE_S: longer than a load balancer's idle timeout (60 s on nginx and AWS ALB),
    # so the server never closes a connection the balancer is about to reuse; each idle
    # connection costs a descriptor and a few kB (docs/operations.md).
    HTTP_KEEP_ALIVE_S: int = Field(default=75, ge=1, le=3_600)
    # Connections one API process is sized to hold (SLO-10): start-up raises the open-files limit
    # to fit them and refuses to start when the hard limit cannot.
    HTTP_MAX_CONNECTIONS: int = Field(default=10_000, ge=1, le=1_000_000)
    # Listen queue for connections not yet accepted (the kernel caps it at net.core.somaxconn).
    HTTP_BACKLOG: int = Field(default=4_096, ge=1, le=65_535)

    # Observability (docs/observability.md). LOG_LEVEL: INFO in production, DEBUG for more detail.
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    LOG_FORMAT: Literal["json", "console"] = "json"
    # One line per request on mercenary.access (off when the load balancer keeps an access log).
    ACCESS_LOG: bool = True
    # Who may read /metrics: comma-separated addresses or CIDR networks of the scrapers. Everyone
    # else gets a 404; the load balancer must not forward /metrics.
    METRICS_ALLOW: str = "127.0.0.1/32,::1/128"

    @field_validator("LOG_LEVEL", "LOG_FORMAT", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if value.lower() in ("debug", "info", "warning", "error") else value.lower()

    @field_validator("METRICS_ALLOW")
    @classmethod
    def _networks(cls, value: str) -> str:
        from mercenary.observability.networks import networks

        networks(value)  # raises ValueError, reported as a settings error
        return value

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.MERCENARY_ENV == "production" and self.SECRET_KEY == DEV_SECRET_KEY:
            raise InsecureSettingsError("SECRET_KEY must be set to a private value in production")
        return self

    @property
    def cache_url(self) -> str:
        """The cache backend's URL: CACHE_URL, else REDIS_URL, else the in-process cache."""
        return self.CACHE_URL or self.REDIS_URL or "memory://"
