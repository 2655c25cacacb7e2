"""Throwaway PostgreSQL clusters and redis-servers on free loopback ports, each under a folder of its own.

One implementation for the rig's data tier and for the test suite's servers (``tests/support``).
Nothing here touches the machine's own services. A server lives in the folder it is given (the rig
keeps its cluster in its state folder, so a seeded template survives between runs), or in a
temporary folder that ``stop`` deletes; a temporary cluster runs without fsync, since its data is
thrown away anyway. initdb refuses to run as root, so under root the cluster is created and run as
the ``postgres`` user (Popen switches user itself, no ``runuser`` in between).
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, ClassVar, Self

from mercenary_perf.rig.procs import free_port, pinned, port_open, stop, wait_until

PG_USER = "postgres"


def pg_bindir() -> Path:
    """Where initdb and postgres live: ``pg_config --bindir``, else the newest /usr/lib/postgresql/*/bin."""
    try:
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=True
        )
        if (Path(out.stdout.strip()) / "initdb").exists():
            return Path(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    for d in reversed(versions):
        if (Path(d) / "initdb").exists():
            return Path(d)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL server binaries (initdb) not found; scripts/system-deps installs them")


def _as_pg_user() -> dict[str, Any]:
    """Popen arguments that run a command as the postgres user when this process is root."""
    if os.geteuid() != 0:
        return {}
    pw = pwd.getpwnam(PG_USER)
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


class _Server:
    """A server on 127.0.0.1:``port`` with its folder, log file and optional CPU pinning."""

    NAME: ClassVar[str]

    def __init__(self, folder: Path | None, cpu: int | None, log: Path | None) -> None:
        self.temporary = folder is None
        self.folder = (folder or Path(tempfile.mkdtemp(prefix=f"mercenary-{self.NAME}-"))).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cpu = cpu
        self.log = log or self.folder / f"{self.NAME}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.port = free_port()

    @classmethod
    def start(cls, folder: Path | None = None, *, cpu: int | None = None, log: Path | None = None) -> Self:
        """Start a server under ``folder`` (temporary when None), pinned to ``cpu``, logging to ``log``.

        Returns once it answers; on failure nothing is left running and the error ends with its log.
        """
        server = cls(folder, cpu, log)
        try:
            server._start()
        except BaseException:
            server.stop()
            raise
        return server

    def _start(self) -> None:
        raise NotImplementedError

    def _pinned(self, args: list[str]) -> list[str]:
        return pinned(args, self.cpu)[0] if self.cpu is not None else args

    def _failed(self, what: str) -> RuntimeError:
        tail = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
        return RuntimeError(f"{what}; end of {self.log}:\n{tail}")

    def stop(self) -> None:
        """Stop the server; a temporary folder is deleted with everything in it."""
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)


class Postgres(_Server):
    """A cluster in ``folder/data``, initialised on first start and reused by later ones.

    ``pg_ctl`` runs the postmaster outside this process's tree, so the RSS of whoever started it
    (the rig, or pytest in the soak test) never includes the database's.
    """

    NAME = "postgres"
    SETTINGS: ClassVar[dict[str, str]] = {"max_connections": "200", "shared_buffers": "256MB"}
    NO_FSYNC: ClassVar[dict[str, str]] = {
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }

    def __init__(self, folder: Path | None, cpu: int | None, log: Path | None) -> None:
        self.bindir = pg_bindir()  # before a temporary folder exists, so a missing install leaves none
        super().__init__(folder, cpu, log)
        self.data = self.folder / "data"
        self._owner = _as_pg_user()

    @property
    def admin_url(self) -> str:
        """URL of the ``postgres`` database as the ``postgres`` superuser."""
        return self.url("postgres")

    def url(self, db: str) -> str:
        """URL of database ``db``."""
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{db}"

    def psql(self, sql: str, db: str = "postgres") -> str:
        """Run one SQL statement with psql; returns its output."""
        cmd = [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, "-d", db]
        out = subprocess.run([*cmd, "-tAc", sql], capture_output=True, text=True, timeout=600, check=True)
        return out.stdout.strip()

    def _run(self, args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        """Run a PostgreSQL program in the cluster's folder, as its owner."""
        return subprocess.run(args, cwd=self.folder, check=False, **self._owner, **kwargs)

    def _start(self) -> None:
        if self._owner:
            os.chown(self.folder, self._owner["user"], self._owner["group"])
        if not (self.data / "PG_VERSION").exists():
            initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", PG_USER, "-A", "trust"]
            initdb += ["-E", "UTF8", "--locale=C", *(["--no-sync"] if self.temporary else [])]
            done = self._run(initdb, capture_output=True, timeout=120)
            if done.returncode != 0:
                hint = f" (every parent folder must be reachable by {PG_USER})" if self._owner else ""
                raise RuntimeError(f"initdb failed{hint}: {done.stderr.decode(errors='replace')[-500:]}")
        conf = {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.folder),
            **self.SETTINGS,
            **(self.NO_FSYNC if self.temporary else {}),
        }
        options = " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in conf.items())
        pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60", "start"]
        # without -l the server writes to pg_ctl's output: the log file opened here, whoever owns it
        with self.log.open("ab") as out:
            done = self._run(self._pinned(pg_ctl), stdout=out, stderr=subprocess.STDOUT, timeout=90)
        if done.returncode != 0:
            raise self._failed(f"pg_ctl start exited with {done.returncode}")

    def halt(self) -> None:
        """Stop the server (a fast shutdown: sessions are cut), keeping its data; ``resume`` restarts it."""
        pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop"]
        done = self._run(pg_ctl, capture_output=True, timeout=90)
        if done.returncode != 0:
            raise self._failed(f"pg_ctl stop exited with {done.returncode}")

    def resume(self) -> None:
        """Start the server again on the same port after ``halt``."""
        self._start()

    def stop(self) -> None:
        """Stop the cluster: immediately when its data is thrown away, else with a checkpoint."""
        if (self.data / "postmaster.pid").exists():
            mode = "immediate" if self.temporary else "fast"
            pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"]
            self._run(pg_ctl, capture_output=True, timeout=90)
        super().stop()


class Redis(_Server):
    """A redis-server that keeps nothing on disk, a child of this process (``proc``)."""

    NAME = "redis"

    def __init__(self, folder: Path | None, cpu: int | None, log: Path | None) -> None:
        super().__init__(folder, cpu, log)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The REDIS_URL of this server (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def _start(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed; scripts/system-deps installs it")
        args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--protected-mode", "yes"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self._pinned(args), stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until(self._answers_ping, 20, "redis-server", self.proc)
        except RuntimeError as e:
            raise self._failed(str(e)) from e

    def _answers_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would; ``restart`` brings it back."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        """Start the server again on the same port (it comes back empty)."""
        self.kill()
        self._start()

    def stop(self) -> None:
        """Stop the server (and delete a temporary folder)."""
        if self.proc is not None:
            stop(self.proc)
        super().stop()


class MotoS3(_Server):
    """An S3-compatible server (moto in server mode, from PyPI) holding its objects in memory, a
    child of this process (``proc``). It checks no credentials; any key pair signs."""

    NAME = "moto"

    def __init__(self, folder: Path | None, cpu: int | None, log: Path | None) -> None:
        super().__init__(folder, cpu, log)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, bucket: str, prefix: str = "") -> str:
        """The BLOB_URL of ``bucket`` on this server."""
        return f"s3://test:test@{bucket}?endpoint={self.endpoint}&region=us-east-1&prefix={prefix}"

    def _start(self) -> None:
        args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self._pinned(args), stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: port_open(self.port), 30, "moto server", self.proc)
        except RuntimeError as e:
            raise self._failed(str(e)) from e

    def create_bucket(self, bucket: str) -> None:
        """Create ``bucket`` (an anonymous PUT: moto does not check signatures)."""
        request = urllib.request.Request(f"{self.endpoint}/{bucket}", method="PUT")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 (loopback URL built here)
            pass

    def kill(self) -> None:
        """Kill the server at once (SIGKILL); its objects are lost."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        """Start the server again on the same port (it comes back empty)."""
        self.kill()
        self._start()

    def stop(self) -> None:
        """Stop the server (and delete a temporary folder)."""
        if self.proc is not None:
            stop(self.proc)
        super().stop()
