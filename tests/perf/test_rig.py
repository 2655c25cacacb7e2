"""The reference rig in pieces: memory cap, data tier, the whole run against the real service, wrk."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mercenary_perf.cli import main
from mercenary_perf.closed import WRK_MISSING, parse_wrk, run_wrk
from mercenary_perf.report.schema import read_json
from mercenary_perf.rig.layout import DEFAULT_LAYOUT, LAYOUTS
from mercenary_perf.rig.memcap import MemoryCap
from mercenary_perf.rig.service import fresh_redis
from mercenary_perf.rig.services import Postgres, Redis
from mercenary_perf.rss import RssSampler, rss_kb, slope_per_hour, tree_rss_kb

from .servers import ServerThread, marketplace_app

# the service installed beside this interpreter, not whichever `mercenary` comes first on PATH
MERCENARY = shlex.quote(str(Path(sys.executable).parent / "mercenary"))


@pytest.fixture
def _restore_affinity() -> Iterator[None]:
    """The rig pins its own process (here: pytest) to the load core; the tests after it get all cores back."""
    cpus = os.sched_getaffinity(0)
    yield
    os.sched_setaffinity(0, cpus)


@pytest.mark.slow
@pytest.mark.usefixtures("_restore_affinity")
def test_rig_runs_scenarios_against_the_real_service(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["rig", "--scenario", "smoke", "--scenario", "auth-burst", "--scale", "demo", "--duration", "2",
            "--mercenary-cmd", MERCENARY, "--state", str(tmp_path / "state"), "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    smoke = read_json(out / "sqlite-smoke.json")
    assert smoke["rig"]["layout"] == "vm"  # the default: the 1 OCPU VM, load alone on the other core
    assert smoke["rig"]["layout_detail"].startswith("1 OCPU / 1 GB VM")
    assert smoke["rig"]["data_tier_pinning"].startswith("inside the service")
    assert smoke["rig"]["memory_cap_covers"] == "the service process tree (SQLite included)"
    assert smoke["verdict"] == "PASS"
    assert smoke["generator"]["scheduler_lag_ms"]["p99"] is not None
    assert "scheduler lag p50" in (out / "sqlite-smoke.md").read_text()
    assert smoke["rig"]["memory_cap"].split()[0] in {"cgroup-v2", "cgroup-v1", "rss-watchdog"}
    assert smoke["rig"]["dataset"].endswith("seeded this run")
    assert len(smoke["machine"]["commit"]) == 40
    assert smoke["rss"]
    assert smoke["rss"][0]["rss_mb"] > 0
    burst = read_json(out / "sqlite-auth-burst.json")
    assert burst["endpoints"]["POST /api/v1/auth/login"]["count"] == 20
    assert burst["generator"]["lag_limit_ms"] == 100  # 20 arrivals due at once leave one after another
    assert (out / "sqlite-smoke.html").read_text().count("<svg") == 4  # latency, throughput, errors, RSS
    # the seeded template is reused by the next run; the earlier layout is still there, and recorded;
    # the run's data tier starts fresh, the embedded job queue beside the database included
    queue = tmp_path / "state" / "run" / "mercenary-queue.db"
    queue.write_bytes(b"the previous run's jobs")
    assert main([*args[:3], *args[5:], "--layout", "split"]) == 0
    assert not queue.exists() or not queue.read_bytes().startswith(b"the previous run's")
    again = read_json(out / "sqlite-smoke.json")
    assert again["rig"]["dataset"].endswith("reused template")
    assert again["rig"]["layout"] == "split"


def test_layouts_place_the_data_tier() -> None:
    vm, split = LAYOUTS["vm"], LAYOUTS["split"]
    assert (vm.server_cpu, vm.data_cpu, vm.load_cpu) == (0, 0, 1)  # the VM's one core holds service and data
    assert (split.server_cpu, split.data_cpu, split.load_cpu) == (0, 1, 1)
    assert DEFAULT_LAYOUT == "vm"
    with pytest.raises(SystemExit):
        main(["rig", "--scenario", "smoke", "--layout", "laptop"])


def test_memory_cap_prefers_cgroup_v2_when_the_controller_is_there(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids\n")
    cap = MemoryCap(1 << 30, "rig-x", root=tmp_path)
    assert cap.apply(12345) == "cgroup-v2"
    assert (tmp_path / "rig-x" / "memory.max").read_text() == str(1 << 30)
    assert (tmp_path / "rig-x" / "cgroup.procs").read_text() == "12345"


def test_rss_watchdog_kills_a_process_over_its_cap(tmp_path: Path) -> None:
    hog = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(80 << 20); time.sleep(30)"])
    try:
        cap = MemoryCap(40 << 20, "none", root=tmp_path)  # no cgroup files under tmp_path: watchdog
        assert cap.apply(hog.pid, watchdog_every_s=0.05) == "rss-watchdog"
        assert hog.wait(15) == -9
        assert cap.tripped
        cap.release()
    finally:
        if hog.poll() is None:
            hog.kill()
            hog.wait()


def test_rss_helpers() -> None:
    assert (rss_kb(os.getpid()) or 0) > 1000
    assert (tree_rss_kb(os.getpid()) or 0) >= (rss_kb(os.getpid()) or 0)
    assert rss_kb(2**22 + 12345) is None
    assert RssSampler(2**22 + 12345, 0.01).finish() == []  # a process that is gone: no samples
    sampler = RssSampler(os.getpid(), 0.01)
    time.sleep(0.1)
    samples = sampler.finish()
    assert len(samples) >= 2
    times = [s["t"] for s in samples]  # seconds since the sampler started: its thread may start late
    assert times == sorted(times) and times[0] < times[-1]
    assert samples[0]["rss_mb"] > 1
    rising = [{"t": t * 10.0, "rss_mb": 100 + t} for t in range(10)]
    assert slope_per_hour(rising) == pytest.approx(360.0)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")
def test_redis_starts_on_a_free_port_and_stops(tmp_path: Path) -> None:
    r = Redis.start(tmp_path / "redis")
    try:
        assert r.url.startswith("redis://127.0.0.1:")
        with socket.create_connection(("127.0.0.1", r.port), timeout=5) as conn:
            conn.sendall(b"SET cached-by-the-last-run 1\r\n")
            assert conn.recv(64) == b"+OK\r\n"
            fresh_redis(r.url)  # what each run's dataset copy does on PostgreSQL
            conn.sendall(b"DBSIZE\r\n")
            assert conn.recv(64) == b":0\r\n"
    finally:
        r.stop()
    assert r.proc is not None
    assert r.proc.poll() is not None
    assert (tmp_path / "redis").is_dir()  # a given folder is kept
    temporary = Redis.start()
    temporary.stop()
    assert not temporary.folder.exists()  # a temporary one goes with the server


@pytest.mark.skipif(not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")), reason="no PostgreSQL server")
def test_postgres_cluster_under_the_state_folder() -> None:
    state = Path(tempfile.mkdtemp(prefix="perf-rig-"))
    state.chmod(0o755)  # run as root, the cluster belongs to the postgres user, who must reach it
    pg = Postgres.start(state / "pg")
    try:
        pg.psql("CREATE DATABASE tpl")
        pg.psql("CREATE TABLE t(x int)", db="tpl")
        pg.psql("CREATE DATABASE copy TEMPLATE tpl")
        assert pg.psql("SELECT count(*) FROM t", db="copy") == "0"
    finally:
        pg.stop()
        shutil.rmtree(state, ignore_errors=True)


def test_wrk_output_is_parsed() -> None:
    out = """Running 2s test @ http://127.0.0.1:8000/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.00us  100.00us   2.50ms   90.00%
  Latency Distribution
     50%  400.00us
     75%  450.00us
     90%  500.00us
     99%    1.20ms
  30000 requests in 2.00s, 3.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  15000.50
"""
    r = parse_wrk(out)
    assert r.requests_per_s == 15000.5
    assert r.latency_ms == {"p50": 0.4, "p75": 0.45, "p90": 0.5, "p99": 1.2, "mean": 0.412, "max": 2.5}
    assert r.requests == 30000
    assert r.non_2xx == 3


def test_wrk_runs_or_says_clearly_that_it_is_missing(
    trivial: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("wrk"):
        r = run_wrk(trivial.url + "/", connections=4, duration_s=1)
        assert r.requests > 100
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RuntimeError, match="wrk is not installed"):
        run_wrk(trivial.url + "/", duration_s=1)
    assert main(["peak", trivial.url + "/"]) == 2
    assert "apt-get install" in WRK_MISSING


HOLD_40_MB = "import time\nb = b'x' * (40 << 20)\nprint('ready', flush=True)\ntime.sleep(60)"


@pytest.mark.slow
def test_soak_samples_rss_and_stress_reports_a_knee(seeded_db: str, tmp_path: Path) -> None:
    with ServerThread(marketplace_app(every_route=True)) as marketplace:
        _soak_and_stress(marketplace, seeded_db, tmp_path)


def _soak_and_stress(marketplace: ServerThread, seeded_db: str, tmp_path: Path) -> None:
    args = ["--base-url", marketplace.url, "--db-url", seeded_db, "--out", str(tmp_path)]
    # The sampled process holds a known 40 MB: pytest's own tree would count whatever earlier tests
    # left running beside it (the demo service is a child of pytest once a test has used it).
    holder = subprocess.Popen([sys.executable, "-c", HOLD_40_MB], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"ready\n"
    try:
        main(["run", "soak", *args, "--rate", "20", "--duration", "3", "--server-pid", str(holder.pid)])
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    soak = read_json(tmp_path / "soak.json")
    assert 40 < soak["extra"]["rss_max_mb"] < 100
    assert soak["rss"]
    assert soak["thresholds"][2]["passed"] is True  # RSS max < 300 MB
    code = main(["run", "stress", *args, "--rate", "40", "--duration", "0.5", "--target-peak", "20"])
    stress = read_json(tmp_path / "stress.json")
    assert [s["rate"] for s in stress["steps"]] == [40 * f for f in (0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4)]
    assert stress["extra"]["knee_rps"] == 160
    assert code == 0
