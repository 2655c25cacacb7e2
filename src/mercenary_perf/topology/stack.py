"""The scaled topology as real processes on loopback (SCALE-1, SCALE-2, DB-6, DB-8).

PostgreSQL primary and (optionally) a streaming replica, PgBouncer in transaction mode in front of
each, Redis, N ``mercenary serve`` instances and M ``mercenary worker`` processes, HAProxy in front
of the instances with health checks on ``/ready``, and Prometheus scraping the instances, the
balancer and itself. Everything lives under one folder (``var/topology`` from the command line) and
on free loopback ports; ``state.json`` there records every process, so ``down`` (another process,
later) stops exactly what ``up`` started and deletes the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from mercenary_perf.rig.procs import free_port, http_ok, wait_until
from mercenary_perf.rig.service import RATE_LIMITS, Mercenary
from mercenary_perf.rig.services import Redis
from mercenary_perf.topology.parts import (
    PgBouncer,
    Primary,
    Replica,
    binary,
    haproxy_config,
    prometheus_config,
)

DATABASE = "mercenary"
DB_POOL_SIZE = 10
STATE_FILE = "state.json"


@dataclass
class Topology:
    """What :func:`up` started: its URLs and processes, and how to stop them."""

    folder: Path
    api: int
    workers: int
    urls: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)
    clusters: list[str] = field(default_factory=list)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    primary: Primary | None = None
    replica: Replica | None = None
    redis: Redis | None = None
    bouncers: dict[str, PgBouncer] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def balancer_url(self) -> str:
        return self.urls["balancer"]

    @property
    def api_urls(self) -> list[str]:
        return [self.urls[f"api-{i}"] for i in range(1, self.api + 1)]

    def save(self) -> None:
        state = {
            "api": self.api,
            "workers": self.workers,
            "urls": self.urls,
            "pids": self.pids,
            "clusters": self.clusters,
        }
        (self.folder / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")

    def _spawn(
        self, name: str, args: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        logs = self.folder / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen(
                args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._track(name, proc)
        return proc

    def _track(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        self.procs[name] = proc
        self.pids[name] = proc.pid
        self.save()

    def kill(self, name: str) -> None:
        """SIGKILL one process (a crash, as the fault tests want it)."""
        proc = self.procs[name]
        proc.kill()
        proc.wait(10)
        self.pids.pop(name, None)
        self.save()

    def restart_bouncer(self, name: str) -> None:
        """Stop PgBouncer ``name`` and start it again on the same port."""
        bouncer = self.bouncers[name]
        proc = self.procs[f"pgbouncer-{name}"]
        proc.terminate()
        proc.wait(10)
        self._track(f"pgbouncer-{name}", bouncer.start())

    def down(self) -> None:
        """Stop every process (SIGKILL after STOP_GRACE_S) and both clusters; delete the folder."""
        stop_pids(self.pids, self.procs)
        self.pids.clear()
        stop_clusters(self.clusters)
        shutil.rmtree(self.folder, ignore_errors=True)


# Stopped front to back: the balancer and the scraper first (an instance waits for its open
# keep-alive connections, the scraper's among them, up to SHUTDOWN_GRACE_S), then the service's
# processes, then what they use.
STOP_GRACE_S = 15.0
STOP_ORDER = (("haproxy", "prometheus"), ("api-", "worker-"), ("pgbouncer-", "redis"))


def _stage(name: str) -> int:
    return next((i for i, group in enumerate(STOP_ORDER) if name.startswith(group)), len(STOP_ORDER))


def stop_pids(pids: dict[str, int], procs: dict[str, subprocess.Popen[bytes]] | None = None) -> None:
    """Terminate every pid (by its id, never by name), stage by stage (:data:`STOP_ORDER`); a
    process still there :data:`STOP_GRACE_S` after its SIGTERM is killed."""
    procs = procs or {}
    for stage in sorted({_stage(n) for n in pids}):
        group = {n: p for n, p in pids.items() if _stage(n) == stage}
        for pid in group.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for name, pid in group.items():
            proc = procs.get(name)
            while time.monotonic() < deadline and _alive(pid, proc):
                time.sleep(0.05)
            if _alive(pid, proc):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if proc is not None:
                proc.wait(5)


def _alive(pid: int, proc: subprocess.Popen[bytes] | None) -> bool:
    if proc is not None:
        return proc.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (its parent gone) counts as dead
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


def stop_clusters(folders: list[str]) -> None:
    """Stop the PostgreSQL clusters in ``folders`` (``pg_ctl stop -m fast``), replica first."""
    for folder in reversed(folders):
        data = Path(folder) / "data"
        if (data / "postmaster.pid").exists():
            pg = Primary(Path(folder), None, None)
            pg.stop()


def up(
    folder: Path,
    *,
    api: int = 2,
    workers: int = 1,
    replica: bool = True,
    replica_delay_ms: int = 0,
    env: dict[str, str] | None = None,
    command: str = "mercenary",
    seed: str | None = None,
) -> Topology:
    """Start the topology under ``folder``; on any failure everything started is stopped again."""
    folder = folder.resolve()
    if (folder / STATE_FILE).exists():
        raise RuntimeError(f"a topology is already up in {folder} (run `down` first)")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # PostgreSQL and PgBouncer run as the postgres user under root: reachable
    topo = Topology(folder, api, workers)
    try:
        _start(topo, replica, replica_delay_ms, env or {}, command, seed)
    except BaseException:
        topo.down()
        raise
    return topo


def _start(
    topo: Topology, with_replica: bool, delay_ms: int, extra: dict[str, str], command: str, seed: str | None
) -> None:
    folder = topo.folder
    primary = topo.primary = Primary.start(folder / "primary")
    topo.clusters.append(str(primary.folder))
    topo.save()
    primary.psql(f"CREATE DATABASE {DATABASE}")
    service = Mercenary(command, folder, {})
    topo.urls["primary"] = primary.url(DATABASE)
    bouncer = topo.bouncers["primary"] = PgBouncer(folder / "pgbouncer", "primary", primary.port)
    topo._track("pgbouncer-primary", bouncer.start())
    topo.urls["pgbouncer-primary"] = bouncer.url(DATABASE)
    # The schema streams to the replica like any write: migrate while the replica is cloned.
    with ThreadPoolExecutor(1) as pool:
        migrated = pool.submit(service.run, "migrate", db_url=primary.url(DATABASE), timeout_s=300)
        if with_replica:
            replica = topo.replica = Replica.follow(primary, folder / "replica", delay_ms)
            topo.clusters.append(str(replica.folder))
            topo.urls["replica"] = replica.url(DATABASE)
            rb = topo.bouncers["replica"] = PgBouncer(folder / "pgbouncer", "replica", replica.port)
            topo._track("pgbouncer-replica", rb.start())
            topo.urls["pgbouncer-replica"] = rb.url(DATABASE)
        migrated.result()
    if seed:
        service.run("seed", "--scale", seed, db_url=primary.url(DATABASE))
    redis = topo.redis = Redis.start(folder / "redis")
    topo._track("redis", redis.proc)  # type: ignore[arg-type]
    topo.urls["redis"] = redis.url
    topo.env = service_env(topo, extra)
    env = {**service.env, **topo.env}
    for i in range(1, topo.api + 1):
        port = free_port()
        topo._spawn(f"api-{i}", [*service.argv, "serve", "--host", "127.0.0.1", "--port", str(port)], env)
        topo.urls[f"api-{i}"] = f"http://127.0.0.1:{port}"
    for i in range(1, topo.workers + 1):
        topo._spawn(f"worker-{i}", [*service.argv, "worker"], env)
    for i, url in enumerate(topo.api_urls, 1):
        wait_until(partial(http_ok, url + "/ready"), 60, f"api-{i} /ready", topo.procs[f"api-{i}"])
    _balancer(topo)
    _prometheus(topo)
    topo.save()


def service_env(topo: Topology, extra: dict[str, str]) -> dict[str, str]:
    """The settings every instance and worker gets: the bouncers' URLs, PgBouncer-safe driver
    settings, the shared Redis, and the pool formula's process count."""
    env = {
        **RATE_LIMITS,
        "DATABASE_URL": topo.urls["pgbouncer-primary"],
        "REDIS_URL": topo.urls["redis"],
        # PgBouncer 1.18 in transaction mode: no named prepared statements, timeout per transaction
        "DB_STATEMENT_TIMEOUT_MODE": "transaction",
        "DB_STATEMENT_CACHE_SIZE": "0",
        "DB_POOL_SIZE": str(DB_POOL_SIZE),
        "DB_POOL_PROCESSES": str(topo.api + topo.workers),
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "LOG_LEVEL": "WARNING",
    }
    if "pgbouncer-replica" in topo.urls:
        env["DATABASE_REPLICA_URL"] = topo.urls["pgbouncer-replica"]
    return {**env, **extra}


def _balancer(topo: Topology) -> None:
    port, stats = free_port(), free_port()
    instances = [(f"api-{i}", int(u.rsplit(":", 1)[1])) for i, u in enumerate(topo.api_urls, 1)]
    cfg = topo.folder / "haproxy.cfg"
    cfg.write_text(haproxy_config(port, stats, instances))
    proc = topo._spawn("haproxy", [binary("haproxy", "haproxy"), "-f", str(cfg)])
    topo.urls["balancer"] = f"http://127.0.0.1:{port}"
    topo.urls["balancer-stats"] = f"http://127.0.0.1:{stats}/stats"
    wait_until(lambda: http_ok(topo.balancer_url + "/ready"), 20, "haproxy", proc)


def _prometheus(topo: Topology) -> None:
    port = free_port()
    targets: dict[str, list[str]] = {
        "mercenary": [u.removeprefix("http://") for u in topo.api_urls],
        "haproxy": [topo.urls["balancer-stats"].removeprefix("http://").removesuffix("/stats")],
        "prometheus": [f"127.0.0.1:{port}"],
    }
    cfg = topo.folder / "prometheus.yml"
    cfg.write_text(prometheus_config(targets))
    args = [binary("prometheus", "prometheus"), f"--config.file={cfg}"]
    args += [f"--storage.tsdb.path={topo.folder / 'prometheus'}", f"--web.listen-address=127.0.0.1:{port}"]
    proc = topo._spawn("prometheus", args)
    topo.urls["prometheus"] = f"http://127.0.0.1:{port}"
    wait_until(lambda: http_ok(topo.urls["prometheus"] + "/-/ready"), 30, "prometheus", proc)


def read_state(folder: Path) -> dict[str, Any] | None:
    """The state ``up`` left in ``folder``, or None when nothing is up there."""
    try:
        state: dict[str, Any] = json.loads((folder / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return state


def down(folder: Path) -> bool:
    """Stop what ``up`` started in ``folder`` (from its state file); False when nothing was up."""
    state = read_state(folder)
    if state is None:
        return False
    stop_pids({k: int(v) for k, v in state.get("pids", {}).items()})
    stop_clusters(list(state.get("clusters", [])))
    shutil.rmtree(folder, ignore_errors=True)
    return True
