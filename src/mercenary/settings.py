"""One typed settings object, read from the environment and validated at start-up.

Every backend is picked by a URL (``DATABASE_URL``, ``CACHE_URL``/``REDIS_URL``); nothing else
branches on the backend. Outside development, insecure defaults are refused.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me-0123456789"  # noqa: S105 (refused in production)


Network = IPv4Network | IPv6Network
# "100/minute": hits per window. Windows are fixed and aligned to the clock (docs/limits.md).
RATE = re.compile(r"^\s*(\d{1,9})\s*/\s*(second|minute|hour|day)\s*$")
PERIOD_S = {"second": 1, "minute": 60, "hour": 3_600, "day": 86_400}


def parse_rate(value: str) -> tuple[int, int]:
    """``"1000/hour"`` as (1000, 3600); raises ValueError on anything else."""
    match = RATE.match(value)
    if match is None or int(match[1]) < 1:
        raise ValueError(f"a rate is N/second, N/minute, N/hour or N/day (N >= 1), not {value!r}")
    return int(match[1]), PERIOD_S[match[2]]


class InsecureSettingsError(ValueError):
    """Raised when production settings keep a development default."""


class Settings(BaseSettings):
    """Configuration of one Mercenary process (API or worker)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=True, extra="ignore", frozen=True)

    MERCENARY_ENV: Literal["development", "production", "test"] = "development"
    SECRET_KEY: str = Field(default=DEV_SECRET_KEY, min_length=32)
    # Keys that signed before SECRET_KEY did, comma-separated: still accepted for verification
    # (access tokens, list cursors, cache values), never used to sign. Key rotation: move the old
    # SECRET_KEY here, set a new one, and drop the old key once the last of its tokens has expired
    # (ACCESS_TOKEN_TTL_S) (docs/security.md).
    SECRET_KEYS_OLD: Annotated[tuple[str, ...], NoDecode] = ()

    # Storage. The async driver suffix is optional: sqlite:///var/x.db or postgresql://u@h/db.
    DATABASE_URL: str = "sqlite:///var/mercenary.db"
    # A streaming replica (PostgreSQL only) for reads outside transactions, with read-your-writes
    # for the caller who wrote (DB-8, db/replica.py); its pool is DB_POOL_SIZE too.
    DATABASE_REPLICA_URL: str | None = None
    # How long a caller's signed commit LSN (cookie and header) keeps its reads off a replica that
    # has not replayed it: keep it above the replica's worst lag.
    READ_YOUR_WRITES_S: int = Field(default=60, ge=1, le=86_400)
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
    # Transient failures (connection lost, deadlock, serialization failure, SQLite busy) of a read,
    # or of a unit of work before its COMMIT, are retried: attempts in all (1: never retry), and
    # how long retrying may go on after the first failure, waits with jitter (DB-7, docs/resilience.md).
    DB_RETRY_ATTEMPTS: int = Field(default=3, ge=1, le=10)
    DB_RETRY_BUDGET_MS: int = Field(default=500, ge=0, le=30_000)

    # Cache: memory:// (in-process) or redis://. Defaults to REDIS_URL when that is set.
    REDIS_URL: str | None = None
    CACHE_URL: str | None = None
    # Every key this deployment writes starts with it (one Redis may serve several deployments).
    CACHE_PREFIX: str = Field(
        default="mercenary:", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"
    )

    # Jobs (docs/jobs.md): sqlite:///path/queue.db (embedded, the default: beside an SQLite database,
    # else var/mercenary-queue.db) or redis://host:port/db (distributed; defaults to REDIS_URL).
    QUEUE_URL: str | None = None
    # Every Redis key of the queue starts with it (one Redis may serve several deployments).
    QUEUE_NAMESPACE: str = Field(
        default="mercenary-jobs", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    # JOB-5: past this many waiting or running jobs in one priority, the endpoints that feed it
    # answer 503 with Retry-After instead of piling more on.
    QUEUE_MAX_DEPTH: int = Field(default=10_000, ge=1)
    # Threads of one `mercenary worker` process (jobs run at once), and how long SIGTERM waits
    # for running jobs before the process exits (their messages are then delivered again).
    WORKER_THREADS: int = Field(default=2, ge=1, le=64)
    WORKER_STOP_TIMEOUT_S: float = Field(default=30, gt=0, le=3_600)
    # Redis: a worker silent this long is dead and its unfinished jobs go back to their queue.
    QUEUE_DEAD_WORKER_S: float = Field(default=60, gt=0, le=3_600)
    # The outbox relay: how often a worker looks for jobs whose enqueue failed after commit, and how
    # old such a row must be (the committing request normally enqueues and removes it at once).
    OUTBOX_RELAY_INTERVAL_S: float = Field(default=5, gt=0, le=600)
    OUTBOX_RELAY_AFTER_S: float = Field(default=10, ge=0, le=3_600)
    # The orphan sweep (docs/files.md): how often a worker deletes stored blobs no row refers to,
    # and how old such a blob must be (an upload stores its blob a moment before its row commits).
    BLOB_SWEEP_INTERVAL_S: float = Field(default=3_600, gt=0, le=7 * 86_400)
    BLOB_SWEEP_GRACE_S: float = Field(default=3_600, ge=60, le=7 * 86_400)

    # CV parsing (docs/cvs.md), in a child process per document: its wall time, address space,
    # pages and characters; a document past any of them ends `failed` with the reason.
    CV_PARSE_TIMEOUT_S: float = Field(default=10, gt=0, le=600)
    CV_PARSE_MEMORY_MB: int = Field(default=256, ge=64, le=16_384)
    CV_PARSE_MAX_PAGES: int = Field(default=50, ge=1, le=10_000)
    CV_PARSE_MAX_CHARS: int = Field(default=200_000, ge=1_000, le=10_000_000)
    # PDF profiles (docs/mail-and-pdf.md), laid out in render processes beside each worker: how many
    # (renders in parallel), the address space each may take, and the renders after which one is
    # replaced by a fresh process.
    RENDER_PROCESSES: int = Field(default=1, ge=1, le=64)
    RENDER_MEMORY_MB: int = Field(default=512, ge=128, le=16_384)
    RENDER_TASKS_PER_PROCESS: int = Field(default=500, ge=1, le=1_000_000)
    # Files (docs/files.md): where blobs are stored, file:///var/blobs (a folder; four slashes before
    # an absolute path) or s3://bucket?endpoint=...&region=...&prefix=... (any S3-compatible server).
    BLOB_URL: str = "file:///var/blobs"
    # The largest file an upload route accepts (each route may ask for less); uploads are the one
    # kind of request MAX_BODY_BYTES does not cap.
    UPLOAD_MAX_BYTES: int = Field(default=10 * 1024 * 1024, ge=1_024, le=1024**3)
    # An upload's deadline in place of REQUEST_TIMEOUT_S: its body may take a while to arrive.
    UPLOAD_TIMEOUT_S: float = Field(default=60.0, gt=0, le=3_600)

    # Notification mail (docs/mail-and-pdf.md), sent by workers only: smtp://[user:pass@]host[:port],
    # smtps://..., or file:dir (each message an .eml file; the default, in a mail/ folder beside an
    # SQLite database, else var/mail). MAIL_TIMEOUT_S bounds each SMTP step; a server that fails
    # opens the mail breaker for MAIL_BREAKER_OPEN_S, during which mail waits in the queue.
    MAIL_URL: str | None = None
    MAIL_FROM: str = Field(default="Mercenary <no-reply@mercenary.localhost>", min_length=3, max_length=254)
    MAIL_TIMEOUT_S: float = Field(default=10, gt=0, le=300)
    MAIL_BREAKER_OPEN_S: float = Field(default=30, gt=0, le=3_600)

    # Auth.
    ACCESS_TOKEN_TTL_S: int = Field(default=900, ge=30, le=86_400)
    REFRESH_TOKEN_TTL_S: int = Field(default=30 * 86_400, ge=60)
    # The `iss` and `aud` of access tokens: a token issued by another service (or for another one)
    # that happens to share the key is refused.
    JWT_ISSUER: str = Field(default="mercenary", min_length=1, max_length=200)
    JWT_AUDIENCE: str = Field(default="mercenary-api", min_length=1, max_length=200)
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
    # A request's head (request line and headers) may take this many bytes, and at most
    # HTTP_MAX_HEADERS header lines; past either the server answers 431 and closes the connection
    # (serving.py). 16 KiB is h11's and Node's default; an access token takes ~300 bytes.
    HTTP_MAX_HEADER_BYTES: int = Field(default=16_384, ge=1_024, le=1_048_576)
    # Per-request deadline (RES-2): past it the work is cancelled and the caller gets a 503 with
    # Retry-After, so a slow dependency cannot hold the server (web/middleware/deadline.py).
    REQUEST_TIMEOUT_S: float = Field(default=5.0, gt=0, le=600)
    # On SIGTERM, in-flight requests get this long to finish before they are cancelled; then the
    # pools close and the process exits 0 (RES-6).
    SHUTDOWN_GRACE_S: float = Field(default=10.0, ge=0, le=600)
    # Strict-Transport-Security on every response, for a service behind a proxy that terminates
    # TLS (requests arriving over https get it regardless).
    HSTS: bool = False
    # How long a shared cache (a CDN) may keep a page every visitor sees alike (browse, a project, a
    # profile); browsers revalidate it each time. 0: shared caches revalidate too (docs/pages.md).
    PAGES_SHARED_MAX_AGE_S: int = Field(default=60, ge=0, le=86_400)

    @field_validator("SECRET_KEYS_OLD", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(key.strip() for key in value.split(",") if key.strip())
        return value

    # Rate limits (RES-1), per route class. The backend: memory:// (per process) or redis:// (shared
    # by every API process); defaults to REDIS_URL when that is set. docs/limits.md.
    RATE_LIMIT_ENABLED: bool = True
    RATE_LIMIT_URL: str | None = None
    RATE_LIMIT_ANONYMOUS: str = "1000/hour"  # per client IP, callers without a valid token
    RATE_LIMIT_AUTHENTICATED: str = "10000/hour"  # per user
    RATE_LIMIT_SENSITIVE: str = "100/minute"  # log-in, sign-up, refresh: per IP and per account
    # Client networks never limited (comma-separated CIDRs), e.g. a load-test rig on loopback.
    RATE_LIMIT_EXEMPT: Annotated[tuple[Network, ...], NoDecode] = ()
    # Proxies whose X-Forwarded-For is believed (comma-separated CIDRs); from anyone else it is ignored.
    TRUSTED_PROXIES: Annotated[tuple[Network, ...], NoDecode] = ()

    # Load shedding (RES-4, RES-7; docs/resilience.md): heavy requests (search, lists with include=)
    # get 503 overloaded while the pool is saturated, the event loop lags or memory nears its limit.
    SHED_ENABLED: bool = True
    SHED_CHECK_MS: int = Field(default=100, ge=10, le=10_000)  # how often the monitor looks
    SHED_LOOP_LAG_MS: int = Field(default=200, ge=1)  # the event loop this late sheds
    SHED_HOLD_S: float = Field(default=1.0, ge=0, le=60)  # a condition keeps shedding this long
    SHED_MEMORY_WARN: float = Field(default=0.8, gt=0, le=1)  # RSS / limit: log a warning
    SHED_MEMORY_SHED: float = Field(default=0.9, gt=0, le=1)  # RSS / limit: shed heavy requests
    # The memory this process may use, in bytes; unset: its cgroup's limit, else the machine's RAM.
    MEMORY_LIMIT_BYTES: int | None = Field(default=None, ge=1)

    # Idempotency keys (API-7): how long a key's first response is replayed, and after how long a
    # key still "in flight" is taken to belong to a request that died (its process crashed).
    IDEMPOTENCY_TTL_S: int = Field(default=86_400, ge=60, le=30 * 86_400)
    IDEMPOTENCY_LOCK_S: int = Field(default=60, ge=1, le=3_600)

    @field_validator("RATE_LIMIT_ANONYMOUS", "RATE_LIMIT_AUTHENTICATED", "RATE_LIMIT_SENSITIVE")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rate(value)
        return value

    @field_validator("RATE_LIMIT_EXEMPT", "TRUSTED_PROXIES", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
        return value

    # Observability (docs/observability.md). LOG_LEVEL: INFO in production, DEBUG for more detail.
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    LOG_FORMAT: Literal["json", "console"] = "json"
    # One line per request on mercenary.access (off when the load balancer keeps an access log).
    ACCESS_LOG: bool = True
    # Who may read /metrics: comma-separated addresses or CIDR networks of the scrapers. Everyone
    # else gets a 404; the load balancer must not forward /metrics.
    METRICS_ALLOW: str = "127.0.0.1/32,::1/128"
    # Traces (docs/tracing.md): off by default (OpenTelemetry is not even imported). When on, spans go
    # to the OTLP/HTTP endpoint of the standard OTEL_EXPORTER_OTLP_ENDPOINT (default localhost:4318).
    OTEL_ENABLED: bool = False
    OTEL_SERVICE_NAME: str = Field(default="mercenary", min_length=1, max_length=100)
    # Profiling on demand (docs/profiling.md). PROFILE_REQUESTS > 0: cProfile the process's next N
    # requests, then write PROFILE_DIR/requests-<pid>-<N>.pstats. MEMORY_SENTINEL_S > 0: tracemalloc
    # on, and the top allocation growth since start logged that often (soak runs only: it is slow).
    PROFILE_REQUESTS: int = Field(default=0, ge=0, le=10_000_000)
    PROFILE_DIR: str = "var/profiles"
    MEMORY_SENTINEL_S: float = Field(default=0, ge=0, le=86_400)
    MEMORY_SENTINEL_FRAMES: int = Field(default=1, ge=1, le=100)

    @field_validator("LOG_LEVEL", "LOG_FORMAT", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if value.lower() in ("debug", "info", "warning", "error") else value.lower()

    @field_validator("METRICS_ALLOW")
    @classmethod
    def _metrics_allow(cls, value: str) -> str:
        from mercenary.observability.networks import networks

        networks(value)  # raises ValueError, reported as a settings error
        return value

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.MERCENARY_ENV == "production" and self.SECRET_KEY == DEV_SECRET_KEY:
            raise InsecureSettingsError("SECRET_KEY must be set to a private value in production")
        if any(len(key) < 32 for key in self.SECRET_KEYS_OLD):
            raise ValueError("every key in SECRET_KEYS_OLD needs at least 32 characters")
        if self.MERCENARY_ENV == "production" and DEV_SECRET_KEY in self.SECRET_KEYS_OLD:
            raise InsecureSettingsError("SECRET_KEYS_OLD must not hold the development key in production")
        if self.DATABASE_REPLICA_URL and not (
            self.DATABASE_URL.startswith("postgres") and self.DATABASE_REPLICA_URL.startswith("postgres")
        ):
            raise ValueError("DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica")
        return self

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The signing key first, then the older keys still accepted for verification."""
        return (self.SECRET_KEY, *(k for k in self.SECRET_KEYS_OLD if k != self.SECRET_KEY))

    @property
    def cache_url(self) -> str:
        """The cache backend's URL: CACHE_URL, else REDIS_URL, else the in-process cache."""
        return self.CACHE_URL or self.REDIS_URL or "memory://"

    @property
    def rate_limit_url(self) -> str:
        """The rate-limit backend's URL: RATE_LIMIT_URL, else REDIS_URL, else in-process counters."""
        return self.RATE_LIMIT_URL or self.REDIS_URL or "memory://"

    @property
    def mail_url(self) -> str:
        """Where mail goes: MAIL_URL, else ``file:<folder of an SQLite database>/mail``, else
        ``file:var/mail``."""
        if self.MAIL_URL:
            return self.MAIL_URL
        scheme, _, path = self.DATABASE_URL.partition("://")
        if scheme.split("+")[0] == "sqlite" and path.startswith("/") and path != "/:memory:":
            folder = path[1:].rpartition("/")[0]
            return f"file:{folder}/mail" if folder else "file:mail"
        return "file:var/mail"

    @property
    def queue_url(self) -> str:
        """The job queue's URL: QUEUE_URL, else REDIS_URL, else an SQLite file beside an SQLite
        database (``var/app.db`` -> ``var/app-queue.db``), else ``var/mercenary-queue.db``."""
        if self.QUEUE_URL or self.REDIS_URL:
            return self.QUEUE_URL or self.REDIS_URL or ""
        scheme, _, path = self.DATABASE_URL.partition("://")
        if scheme.split("+")[0] == "sqlite" and path.startswith("/") and path != "/:memory:":
            stem, dot, ext = path[1:].rpartition(".")
            return f"sqlite:///{stem}-queue.{ext}" if dot else f"sqlite:///{path[1:]}-queue"
        return "sqlite:///var/mercenary-queue.db"
