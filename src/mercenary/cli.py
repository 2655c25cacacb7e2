"""The ``mercenary`` command: serve, worker, jobs, migrate, seed, create-admin, purge-idempotency-keys,
sweep-blobs."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mercenary.settings import Settings


def _settings() -> Settings:
    from mercenary.settings import Settings

    return Settings()


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the API under uvicorn (uvloop + httptools), with the limits many connections need."""
    import shutil

    from mercenary import serving
    from mercenary.observability.logs import configure

    settings = _settings()  # fail loudly on bad settings before forking workers
    try:
        lines = serving.prepare(settings, args.workers)
    except serving.ServeLimitError as exc:
        print(exc, file=sys.stderr)
        return 2
    created, said = serving.metrics_dir(args.workers)
    for line in [*lines, *([said] if said else [])]:
        print(line, file=sys.stderr)
    serving.exit_zero_on_sigterm()
    # The server's own lines in the service's format; each worker configures itself (app_from_env).
    configure(settings.LOG_LEVEL, settings.LOG_FORMAT)
    try:
        _run(args, settings)
    finally:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from mercenary import serving

    uvicorn.run(
        "mercenary.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        access_log=False,
        proxy_headers=False,
        log_config=None,  # logging is the service's (observability/logs.py)
        log_level=settings.LOG_LEVEL.lower(),
        **serving.uvicorn_options(settings),
    )


def cmd_migrate(args: argparse.Namespace) -> int:
    """Bring the database to the latest schema."""
    from mercenary.db import migrate

    settings = _settings()
    migrate.upgrade(settings.DATABASE_URL, args.revision)
    print(f"migrated to {args.revision}", file=sys.stderr)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    """Fill the database with generated data (after migrating it)."""
    from mercenary.db import migrate
    from mercenary.seed import run_seed

    settings = _settings()
    migrate.upgrade(settings.DATABASE_URL)
    return asyncio.run(run_seed(settings, scale=args.scale, seed=args.seed, if_empty=args.if_empty))


def cmd_create_admin(args: argparse.Namespace) -> int:
    """Create an administrator (admins cannot sign up through the API)."""
    password = os.environ.get("MERCENARY_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 8:
        print("the password needs at least 8 characters", file=sys.stderr)
        return 2
    return asyncio.run(_create_admin(_settings(), email=args.email, name=args.name, password=password))


async def _create_admin(settings: Settings, *, email: str, name: str, password: str) -> int:
    from mercenary.auth.errors import EmailTakenError
    from mercenary.auth.service import create_admin
    from mercenary.db import open_database
    from mercenary.security.passwords import PasswordHasher

    hasher = PasswordHasher.from_settings(settings)
    db = open_database(settings)
    await db.connect()
    try:
        user = await create_admin(db, hasher, email=email, name=name, password=password)
    except EmailTakenError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await db.close()
    print(f"created admin {user['email']}", file=sys.stderr)
    return 0


def cmd_purge_idempotency_keys(args: argparse.Namespace) -> int:
    """Delete expired idempotency keys (API-7); run it from cron, e.g. hourly."""
    return asyncio.run(_purge_idempotency_keys(_settings()))


async def _purge_idempotency_keys(settings: Settings) -> int:
    from mercenary.db import open_database
    from mercenary.idempotency.store import IdempotencyKeys

    db = open_database(settings)
    await db.connect()
    try:
        keys = IdempotencyKeys(
            db, settings.SECRET_KEY, ttl_s=settings.IDEMPOTENCY_TTL_S, lock_s=settings.IDEMPOTENCY_LOCK_S
        )
        deleted = await keys.purge_all()
    finally:
        await db.close()
    print(f"purged {deleted} expired idempotency keys", file=sys.stderr)
    return 0


def cmd_sweep_blobs(args: argparse.Namespace) -> int:
    """Delete stored blobs no row refers to, older than ``--grace-s`` (docs/files.md)."""
    return asyncio.run(_sweep_blobs(_settings(), args.grace_s))


async def _sweep_blobs(settings: Settings, grace_s: float | None) -> int:
    from mercenary.backends.blobs import from_url
    from mercenary.db import open_database
    from mercenary.worker.sweep import sweep_once

    db, blobs = open_database(settings), from_url(settings.BLOB_URL)
    await db.connect()
    try:
        grace = settings.BLOB_SWEEP_GRACE_S if grace_s is None else grace_s
        deleted = await sweep_once(db, blobs, grace_s=grace)
    finally:
        await blobs.close()
        await db.close()
    print(f"deleted {deleted} orphan blobs", file=sys.stderr)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a job worker until SIGTERM/SIGINT (docs/jobs.md)."""
    import faulthandler
    import logging
    import signal

    from mercenary.worker import runtime

    # `kill -USR1 <pid>` prints every thread's stack: what a stuck job is doing.
    faulthandler.register(signal.SIGUSR1)

    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return runtime.run(_settings(), modules=args.module, threads=args.threads)


def cmd_jobs_dead(args: argparse.Namespace) -> int:
    """List the dead-letter store: jobs that failed their last retry, with their error."""
    return asyncio.run(_jobs_dead(_settings(), args.limit))


async def _jobs_dead(settings: Settings, limit: int) -> int:
    from mercenary.state import AppState
    from mercenary.worker.dead_letters import list_dead

    state = await AppState.open(settings)
    try:
        rows = await list_dead(state, limit=limit)
    finally:
        await state.close()
    for row in rows:
        last = row["error"].strip().splitlines()[-1] if row["error"].strip() else ""
        print(
            f"{row['id']}\t{row['failed_at']:%Y-%m-%d %H:%M:%S}\t{row['job']}\t{row['priority']}\t"
            f"attempts={row['attempts']}\t{row['kwargs']}\t{last}"
        )
    print(f"{len(rows)} dead job(s)", file=sys.stderr)
    return 0


def cmd_jobs_requeue(args: argparse.Namespace) -> int:
    """Send dead jobs back to their queues (by id, or --all) with fresh retries."""
    if not args.all and not args.ids:
        print("name the dead job ids to requeue, or --all", file=sys.stderr)
        return 2
    return asyncio.run(_jobs_requeue(_settings(), None if args.all else args.ids, tuple(args.module)))


async def _jobs_requeue(settings: Settings, ids: list[int] | None, modules: tuple[str, ...]) -> int:
    from mercenary.state import AppState
    from mercenary.worker.dead_letters import requeue

    state = await AppState.open(settings)
    try:
        done = await requeue(state, ids, modules)
    finally:
        await state.close()
    missing = sorted(set(ids or ()) - set(done))
    print(f"requeued {len(done)} job(s)" + (f"; not found: {missing}" if missing else ""), file=sys.stderr)
    return 1 if missing else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(prog="mercenary", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run a job worker (stops gracefully on SIGTERM)")
    worker.add_argument("--threads", type=int, default=None, help="jobs run at once (WORKER_THREADS)")
    worker.add_argument(
        "--module", action="append", default=[], help="also load the job handlers of this module"
    )
    worker.set_defaults(func=cmd_worker)

    jobs = sub.add_parser("jobs", help="inspect and requeue dead jobs").add_subparsers(
        dest="jobs_command", required=True
    )
    dead = jobs.add_parser("dead", help="list the jobs that failed their last retry")
    dead.add_argument("--limit", type=int, default=100)
    dead.set_defaults(func=cmd_jobs_dead)
    again = jobs.add_parser("requeue", help="send dead jobs back to their queues")
    again.add_argument("ids", nargs="*", type=int, metavar="ID")
    again.add_argument("--all", action="store_true", help="every dead job")
    again.add_argument("--module", action="append", default=[], help="also load this module's job handlers")
    again.set_defaults(func=cmd_jobs_requeue)

    mig = sub.add_parser("migrate", help="apply database migrations")
    mig.add_argument("--revision", default="head")
    mig.set_defaults(func=cmd_migrate)

    seed = sub.add_parser("seed", help="generate a dataset")
    seed.add_argument("--scale", choices=("demo", "full"), default="demo")
    seed.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same data")
    seed.add_argument(
        "--if-empty", action="store_true", help="do nothing when the database already has users"
    )
    seed.set_defaults(func=cmd_seed)

    admin = sub.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.set_defaults(func=cmd_create_admin)

    purge = sub.add_parser("purge-idempotency-keys", help="delete expired idempotency keys")
    purge.set_defaults(func=cmd_purge_idempotency_keys)

    sweep = sub.add_parser("sweep-blobs", help="delete stored files no row refers to")
    sweep.add_argument(
        "--grace-s", type=float, default=None, help="only files older than this (default BLOB_SWEEP_GRACE_S)"
    )
    sweep.set_defaults(func=cmd_sweep_blobs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mercenary`` console script."""
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
