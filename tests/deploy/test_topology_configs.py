"""deploy/ describes the topology that ``mercenary-perf topology up`` runs (SCALE-2): the balancer's
checks and timeouts, PgBouncer's mode and pools, the primary's replication settings and the
instances' settings are the same in both, so the tested topology is the documented one."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from mercenary.settings import Settings
from mercenary_perf.topology import stack
from mercenary_perf.topology.parts import PgBouncer, Primary, haproxy_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def sections(cfg: str) -> dict[str, set[str]]:
    """An HAProxy file's sections and their lines, comments, binds and servers left out."""
    found: dict[str, set[str]] = {}
    current = ""
    for raw in cfg.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line.startswith(" "):
            current = line.strip()
            found[current] = set()
        elif not line.strip().startswith(("bind ", "server ")):
            found[current].add(" ".join(line.split()))
    return found


def test_the_balancer_is_configured_alike() -> None:
    deployed = sections((DEPLOY / "haproxy" / "haproxy.cfg").read_text())
    ours = sections(haproxy_config(8080, 8404, [("api-1", 9001), ("api-2", 9002)]))
    assert deployed == ours
    assert "option httpchk GET /ready" in ours["backend mercenary"]


def test_the_deployed_balancer_config_is_valid(tmp_path: Path) -> None:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.skip("haproxy is not installed (scripts/system-deps installs it)")
    done = subprocess.run([haproxy, "-c", "-f", str(DEPLOY / "haproxy" / "haproxy.cfg")], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def _ini(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(comment_prefixes=(";", "#"), interpolation=None)
    parser.read_string(text)
    return dict(parser["pgbouncer"])


def test_pgbouncer_is_configured_alike(tmp_path: Path) -> None:
    deployed = _ini((DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text())
    ours = _ini(PgBouncer(tmp_path, "primary", 5432).config())
    for key in ("pool_mode", "default_pool_size", "max_client_conn", "ignore_startup_parameters"):
        assert deployed[key] == ours[key], key
    assert ours["pool_mode"] == "transaction"


def test_the_primary_is_configured_alike() -> None:
    lines = (DEPLOY / "postgresql" / "primary.conf").read_text().splitlines()
    deployed = {
        k.strip(): v.strip()
        for k, _, v in (ln.partition("=") for ln in lines if ln and not ln.startswith("#"))
    }
    assert deployed == Primary.SETTINGS


def test_the_instances_get_the_same_settings(tmp_path: Path) -> None:
    env = dict(
        ln.split("=", 1)
        for ln in (DEPLOY / "mercenary.env").read_text().splitlines()
        if ln and not ln.startswith("#")
    )
    topo = stack.Topology(tmp_path, api=2, workers=1)
    topo.urls.update({"pgbouncer-primary": "p", "pgbouncer-replica": "r", "redis": "redis://x/0"})
    ours = stack.service_env(topo, {})
    for key in ("DB_STATEMENT_TIMEOUT_MODE", "DB_STATEMENT_CACHE_SIZE", "DB_POOL_SIZE", "DB_POOL_PROCESSES"):
        assert env[key] == ours[key], key
    assert set(env) <= set(Settings.model_fields)
    assert {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "TRUSTED_PROXIES"} <= set(env) & set(ours)
