"""The service under test, driven only through its console command (``mercenary ...``).

``seed_once`` seeds the full dataset a single time per backend and scale and keeps it as a
template (a SQLite file, or a PostgreSQL template database); each run gets a fresh copy.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from mercenary_perf.rig.procs import SERVER_CPU, free_port, http_ok, log_file, pinned, stop, wait_until
from mercenary_perf.rig.services import Postgres

SEED_TIMEOUT_S = 3600
# The service's rate limits (RES-1) are per client IP and per user: the rig drives it from one
# loopback address with a few hundred accounts at up to 1,000 req/s, which the defaults (1,000/h
# per IP, 10,000/h per user, 100/min on log-in) would throttle within seconds. The rig raises them
# through the service's own settings, in the open, rather than exempting loopback: every request
# still goes through the limiter, so its cost stays in what the rig measures.
RATE_LIMITS = {
    "RATE_LIMIT_ANONYMOUS": "1000000/minute",
    "RATE_LIMIT_AUTHENTICATED": "1000000/minute",
    "RATE_LIMIT_SENSITIVE": "1000000/minute",
}


class Mercenary:
    """Runs ``mercenary`` subcommands with a given environment."""

    def __init__(self, command: str, state: Path, env: dict[str, str]) -> None:
        self.argv = shlex.split(command)
        if self.argv and shutil.which(self.argv[0]) is None:
            # Installed beside the harness (same virtualenv) even when that is not on PATH.
            sibling = Path(sys.executable).parent / self.argv[0]
            if sibling.exists():
                self.argv[0] = str(sibling)
        if not self.argv or shutil.which(self.argv[0]) is None:
            raise RuntimeError(f"the service command {command!r} is not installed (pip install -e . on main)")
        self.state = state
        self.env = {
            **os.environ,
            "MERCENARY_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            **RATE_LIMITS,
            **env,
        }

    def run(self, *args: str, db_url: str, timeout_s: float = SEED_TIMEOUT_S) -> None:
        """Run one subcommand to completion against ``db_url``; raise with its log on failure."""
        log = log_file(self.state, f"mercenary-{args[0]}")
        with log.open("ab") as out:
            proc = subprocess.run(
                [*self.argv, *args],
                env={**self.env, "DATABASE_URL": db_url},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout_s,
                check=False,
            )
        if proc.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"`mercenary {' '.join(args)}` failed ({proc.returncode}):\n{tail}")

    def serve(
        self, db_url: str, workers: int, cpu: int = SERVER_CPU, port: int | None = None
    ) -> tuple[subprocess.Popen[bytes], str, str]:
        """Start the server pinned to ``cpu`` on ``port`` (a free one when None); returns
        (process, base URL, pinning)."""
        port = port or free_port()
        args = [*self.argv, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        cmd, how = pinned(args, cpu)
        with log_file(self.state, "mercenary-serve").open("ab") as out:
            proc = subprocess.Popen(
                cmd, env={**self.env, "DATABASE_URL": db_url}, stdout=out, stderr=subprocess.STDOUT
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: http_ok(base + "/health"), 60, "mercenary serve", proc)
        except RuntimeError:
            stop(proc)
            raise
        return proc, base, how

    def work(self, db_url: str, cpu: int = SERVER_CPU) -> subprocess.Popen[bytes]:
        """Start one job worker pinned to ``cpu`` (the service's core: on the one-core VM the
        worker shares it); returns once it runs."""
        cmd, _ = pinned([*self.argv, "worker"], cpu)
        log = log_file(self.state, "mercenary-worker")
        since = log.stat().st_size if log.exists() else 0
        with log.open("ab") as out:
            proc = subprocess.Popen(
                cmd, env={**self.env, "DATABASE_URL": db_url}, stdout=out, stderr=subprocess.STDOUT
            )

        def running() -> bool:
            with log.open("rb") as f:
                f.seek(since)
                return b"running" in f.read()

        try:
            wait_until(running, 60, "mercenary worker", proc)
        except RuntimeError:
            stop(proc)
            raise
        return proc


def fresh_redis(url: str) -> None:
    """Empty the rig's Redis (``redis://127.0.0.1:PORT/0``): a run on a fresh dataset copy must not
    find the previous run's cache entries or the jobs it queued."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=5) as conn:
        conn.sendall(b"FLUSHALL\r\n")
        if not conn.recv(16).startswith(b"+OK"):
            raise RuntimeError("the rig's Redis did not flush")


def _marker(path: Path) -> dict[str, object] | None:
    try:
        data: dict[str, object] = json.loads(path.read_text())
        return data
    except (OSError, ValueError):
        return None


def sqlite_dataset(svc: Mercenary, state: Path, scale: str, seed: int) -> tuple[str, bool]:
    """A fresh copy of the seeded SQLite file; also whether the template was reused."""
    tpl = (state / "datasets" / f"sqlite-{scale}-seed{seed}.db").resolve()
    marker = tpl.with_suffix(".json")
    reused = _marker(marker) is not None and tpl.exists()
    if not reused:
        tpl.parent.mkdir(parents=True, exist_ok=True)
        for f in tpl.parent.glob(tpl.name + "*"):
            f.unlink()
        url = f"sqlite:///{tpl}"
        svc.run("migrate", db_url=url)
        svc.run("seed", "--scale", scale, "--seed", str(seed), db_url=url)
        marker.write_text(json.dumps({"scale": scale, "seed": seed}))
    run_db = (state / "run" / "mercenary.db").resolve()
    run_db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):  # the embedded queue beside it starts empty too
        Path(str(run_db.with_name("mercenary-queue.db")) + suffix).unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        dst = Path(str(run_db) + suffix)
        dst.unlink(missing_ok=True)
        src = Path(str(tpl) + suffix)
        if src.exists():
            shutil.copyfile(src, dst)
    # The template outlives the code that seeded it: bring the run's copy to this code's schema
    # (a no-op when it is current), so a dataset is seeded once for every commit measured on it.
    svc.run("migrate", db_url=f"sqlite:///{run_db}")
    return f"sqlite:///{run_db}", reused


def postgres_dataset(svc: Mercenary, pg: Postgres, scale: str, seed: int) -> tuple[str, bool]:
    """A fresh database created from the seeded template database; also whether it was reused."""
    tpl = f"mercenary_tpl_{scale}_{seed}"
    seeded = pg.psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{tpl}'")
    reused = seeded == "seeded"
    if not reused:
        pg.psql(f"DROP DATABASE IF EXISTS {tpl}")
        pg.psql(f"CREATE DATABASE {tpl}")
        svc.run("migrate", db_url=pg.url(tpl))
        svc.run("seed", "--scale", scale, "--seed", str(seed), db_url=pg.url(tpl))
        pg.psql(f"COMMENT ON DATABASE {tpl} IS 'seeded'")
    pg.psql("DROP DATABASE IF EXISTS mercenary_run WITH (FORCE)")
    pg.psql(f"CREATE DATABASE mercenary_run TEMPLATE {tpl}")
    svc.run("migrate", db_url=pg.url("mercenary_run"))  # as for SQLite: this code's schema
    if svc.env.get("REDIS_URL"):  # the cache and the job queue of the previous run go too
        fresh_redis(svc.env["REDIS_URL"])
    return pg.url("mercenary_run"), reused
