"""The data tier of the rig: a throwaway PostgreSQL cluster and a redis-server, on free loopback ports.

They never touch the machine's own services: the cluster lives under the rig's state folder.
As root, initdb refuses to run, so the cluster belongs to the ``postgres`` user then.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from mercenary_perf.rig.procs import LOAD_CPU, free_port, log_file, pinned, port_open, stop, wait_until


def pg_bindir() -> Path:
    """Where initdb/pg_ctl live (``pg_config --bindir``, else /usr/lib/postgresql/*/bin)."""
    try:
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=True
        )
        cand = Path(out.stdout.strip())
        if (cand / "initdb").exists():
            return cand
    except (OSError, subprocess.SubprocessError):
        pass
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(d) / "initdb").exists():
            return Path(d)
    raise RuntimeError("PostgreSQL server binaries (initdb) not found")


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class Postgres:
    """A cluster in ``state/pg``; ``start`` initialises it once and starts it on a free port."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.data = (state / "pg" / "data").resolve()
        self.port = free_port()
        self.bindir = pg_bindir()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def admin_url(self) -> str:
        """URL of the ``postgres`` database as the ``postgres`` superuser."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, db: str) -> str:
        """URL of database ``db``."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        """initdb if needed, then run the server pinned to the load core."""
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.data.parent, pw.pw_uid, pw.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            done = subprocess.run(_as_owner(initdb), capture_output=True, text=True, timeout=120, check=False)
            if done.returncode != 0:
                hint = (
                    " (every parent folder must be readable by the postgres user)"
                    if os.geteuid() == 0
                    else ""
                )
                raise RuntimeError(f"initdb failed{hint}: {done.stderr.strip()[-500:]}")
        conf = {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.data),
            "max_connections": "200",
            "shared_buffers": "256MB",
        }
        settings = [arg for k, v in conf.items() for arg in ("-c", f"{k}={v}")]
        cmd, _ = pinned(_as_owner([str(self.bindir / "postgres"), "-D", str(self.data), *settings]), LOAD_CPU)
        with log_file(self.state, "postgres").open("wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: port_open(self.port), 60, "postgres", self.proc)

    def psql(self, sql: str, db: str = "postgres") -> str:
        """Run one SQL statement with psql; returns its output."""
        cmd = [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db]
        out = subprocess.run([*cmd, "-tAc", sql], capture_output=True, text=True, timeout=600, check=True)
        return out.stdout.strip()

    def stop(self) -> None:
        """Stop the server (the cluster files stay for reuse)."""
        if self.proc is not None:
            stop(self.proc, 30)


class Redis:
    """A redis-server without persistence on a free port, pinned to the load core."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The REDIS_URL of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Run redis-server; raise if it is not installed."""
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed")
        args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        cmd, _ = pinned(args, LOAD_CPU)
        with log_file(self.state, "redis").open("wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: port_open(self.port), 20, "redis", self.proc)

    def stop(self) -> None:
        """Stop the server."""
        if self.proc is not None:
            stop(self.proc)
