"""The servers of the scaled topology that the rig's data tier does not already have.

A streaming replica of a :class:`~mercenary_perf.rig.services.Postgres` primary (``pg_basebackup``),
PgBouncer in transaction mode, HAProxy with health checks on ``/ready``, and Prometheus. Each is a
Debian package's binary run on free loopback ports under a folder of its own, with the same
settings ``deploy/`` documents for a real deployment (``tests/deploy`` checks that they agree).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any, ClassVar

from mercenary_perf.rig.procs import free_port, wait_until
from mercenary_perf.rig.services import PG_USER, Postgres

# HAProxy checks every instance's /ready this often and takes it out after FALL failures in a row:
# a dead instance leaves the rotation within INTER_MS x FALL (plus one check's timeout), and a
# connection refused meanwhile is retried on another instance (``option redispatch``).
CHECK_INTER_MS = 500
CHECK_FALL = 2
CHECK_RISE = 2
# PgBouncer 1.18 in transaction mode: server connections per (database, user) pair.
BOUNCER_POOL_SIZE = 20
BOUNCER_MAX_CLIENTS = 2000
SCRAPE_INTERVAL_S = 5


def _as_postgres_user() -> dict[str, Any]:
    """Popen arguments that drop root to the postgres user (PgBouncer refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    pw = pwd.getpwnam(PG_USER)
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


def _chown_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        pw = pwd.getpwnam(PG_USER)
        os.chown(path, pw.pw_uid, pw.pw_gid)


def accepts(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:``port``."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
        return True
    except OSError:
        return False


def binary(name: str, package: str) -> str:
    """The path of ``name`` (on PATH or in /usr/sbin), or an error naming its Debian package."""
    found = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if Path(p).exists()), None
    )
    if found is None:
        raise RuntimeError(f"{name} is not installed; scripts/system-deps installs it (Debian: {package})")
    return found


class Primary(Postgres):
    """The primary: WAL for a streaming replica, and room for the bouncers' server connections."""

    SETTINGS: ClassVar[dict[str, str]] = {
        "max_connections": "200",
        "shared_buffers": "128MB",
        "wal_level": "replica",
        "max_wal_senders": "5",
        "hot_standby": "on",
    }


class Replica(Primary):
    """A hot standby cloned from ``primary`` with ``pg_basebackup -R`` and fed by streaming replication.

    ``recovery_min_apply_delay`` lives in ``postgresql.auto.conf`` (not on the command line, which would
    override ``ALTER SYSTEM``), so :meth:`set_delay` can change it on a running replica.
    """

    primary_port = 0

    @classmethod
    def follow(cls, primary: Postgres, folder: Path | None, delay_ms: int = 0) -> Replica:
        """Clone ``primary`` into ``folder`` (temporary when None) and start streaming from it."""
        replica = cls(folder, None, None)
        replica.primary_port = primary.port
        try:
            replica._clone(delay_ms)
            replica._start()
        except BaseException:
            replica.stop()
            raise
        return replica

    def _clone(self, delay_ms: int) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        if self._owner:
            os.chown(self.folder, self._owner["user"], self._owner["group"])
        args = [str(self.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port)]
        args += ["-U", PG_USER, "-D", str(self.data), "-R", "-X", "stream", "-c", "fast"]
        done = self._run(args, capture_output=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {done.stderr.decode(errors='replace')[-800:]}")
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"recovery_min_apply_delay = '{delay_ms}ms'\n")

    def set_delay(self, delay_ms: int) -> None:
        """Change ``recovery_min_apply_delay`` on the running replica (a reload, no restart)."""
        self.psql(f"ALTER SYSTEM SET recovery_min_apply_delay = '{delay_ms}ms'")
        self.psql("SELECT pg_reload_conf()")

    def pause(self) -> None:
        """Stop the replica's postmaster (its data stays; :meth:`resume` starts it again)."""
        pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop"]
        self._run(pg_ctl, capture_output=True, timeout=90)

    def resume(self) -> None:
        """Start the replica again on the same port."""
        self._start()


class PgBouncer:
    """PgBouncer in transaction mode in front of one PostgreSQL, on a free loopback port."""

    def __init__(self, folder: Path, name: str, upstream_port: int) -> None:
        self.folder = folder.resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        _chown_to_postgres(self.folder)
        self.name = name
        self.upstream_port = upstream_port
        self.port = free_port()
        self.ini = self.folder / f"{name}.ini"
        self.log = self.folder / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        """The ``pgbouncer.ini`` (deploy/pgbouncer/pgbouncer.ini has the same [pgbouncer] settings)."""
        return f"""[databases]
* = host=127.0.0.1 port={self.upstream_port} user={PG_USER}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = {BOUNCER_POOL_SIZE}
max_client_conn = {BOUNCER_MAX_CLIENTS}
ignore_startup_parameters = extra_float_digits
logfile = {self.log}
"""

    def start(self) -> subprocess.Popen[bytes]:
        """Start (or start again, on the same port) and return once it accepts connections."""
        self.ini.write_text(self.config())
        self.proc = subprocess.Popen(
            [binary("pgbouncer", "pgbouncer"), str(self.ini)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            **_as_postgres_user(),
        )
        wait_until(lambda: accepts(self.port), 15, f"pgbouncer {self.name} (log: {self.log})", self.proc)
        return self.proc

    def url(self, db: str) -> str:
        """The DATABASE_URL of ``db`` through this bouncer."""
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{db}"


def haproxy_config(port: int, stats_port: int, instances: list[tuple[str, int]]) -> str:
    """The balancer: round robin over ``instances`` (name, port), checked on ``/ready``.

    deploy/haproxy/haproxy.cfg is this file for a real deployment (same timeouts and checks).
    """
    checks = f"inter {CHECK_INTER_MS} fall {CHECK_FALL} rise {CHECK_RISE}"
    checks += " on-marked-down shutdown-sessions init-addr libc,none"
    servers = "\n".join(f"  server {name} 127.0.0.1:{p} check" for name, p in instances)
    return f"""global
  maxconn 8000

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 30s
  timeout http-keep-alive 60s
  option forwardfor
  retries 2
  option redispatch 1

frontend api
  bind 127.0.0.1:{port}
  # /metrics is for the scrapers, which reach every instance directly
  http-request deny deny_status 404 if {{ path /metrics }}
  default_backend mercenary

backend mercenary
  balance roundrobin
  option httpchk GET /ready
  http-check expect status 200
  default-server {checks}
{servers}

frontend stats
  bind 127.0.0.1:{stats_port}
  http-request use-service prometheus-exporter if {{ path /metrics }}
  stats enable
  stats uri /stats
"""


def prometheus_config(targets: dict[str, list[str]]) -> str:
    """Scrape every job's ``host:port`` targets (deploy/prometheus/prometheus.yml is the real one)."""
    jobs = []
    for job, hosts in targets.items():
        listed = ", ".join(f'"{h}"' for h in hosts)
        jobs.append(f"  - job_name: {job}\n    static_configs:\n      - targets: [{listed}]\n")
    return (
        f"global:\n  scrape_interval: {SCRAPE_INTERVAL_S}s\n  evaluation_interval: {SCRAPE_INTERVAL_S}s\n"
        "scrape_configs:\n" + "".join(jobs)
    )
