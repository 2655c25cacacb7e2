"""A throwaway PgBouncer in transaction mode in front of the session's PostgreSQL."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from mercenary_perf.rig.procs import free_port, wait_until
from tests.support.servers import PostgresServer


def pgbouncer_binary() -> str | None:
    """Where the ``pgbouncer`` binary is (Debian package ``pgbouncer``), or None."""
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if Path(p).exists()), None
    )


class PgBouncer:
    """A pgbouncer in transaction mode with one server connection, in a temporary folder."""

    def __init__(self, pg: PostgresServer, binary: str, ignore: str = "") -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="mercenary-pgbouncer-"))
        self.port = free_port()
        (self.folder / "pgbouncer.ini").write_text(
            f"""[databases]
* = host=127.0.0.1 port={pg.port} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 1
max_client_conn = 100
ignore_startup_parameters = {ignore}
logfile = {self.folder}/pgbouncer.log
"""
        )
        # PgBouncer refuses to run as root: as root, run it as the postgres user, as the cluster is.
        as_user: dict[str, Any] = {}
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
            as_user = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        self.proc = subprocess.Popen(
            [binary, str(self.folder / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **as_user,
        )
        wait_until(self._answers, 10, f"pgbouncer (log: {self.folder}/pgbouncer.log)", self.proc)

    def _answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def url(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)
