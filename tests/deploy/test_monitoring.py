"""The monitoring that ships in deploy/ (OBS-4) and the metrics of ``mercenary serve --workers 2``
(OBS-1): whichever worker answers the scrape, the counts are the instance's; promtool accepts the
scrape config and the alert rules and passes their unit tests; every metric a dashboard panel or an
alert reads is one the service really exports; and a real Prometheus scrapes the running service
and answers for it. One service for the module (``served``), stopped when the module ends."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from prometheus_client.samples import Sample

from mercenary.backends.queue.brokers import open_broker
from mercenary.backends.queue.client import build_message
from mercenary.settings import Settings
from mercenary_perf.rig.procs import free_port, http_ok, stop, wait_until
from tests.deploy.conftest import DEPLOY, Served
from tests.deploy.promql import PROMETHEUS_OWN, metric_names
from tests.support.jobs import POISON, RECORD_HIGH
from tests.support.metrics import total

RULES = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARDS = sorted((DEPLOY / "grafana").glob("*.json"))


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: scripts/system-deps installs Debian's prometheus package"
    return found


def promtool(*args: str) -> str:
    done = subprocess.run(
        [tool("promtool"), *args], capture_output=True, text=True, cwd=DEPLOY / "prometheus"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_promtool_checks_the_config_and_the_rules() -> None:
    assert "SUCCESS" in promtool("check", "config", "prometheus.yml")
    assert "5 rules found" in promtool("check", "rules", "alerts.yml")


def test_every_alert_fires_in_promtool_unit_tests() -> None:
    assert "SUCCESS" in promtool("test", "rules", "alerts_test.yml")
    tested = set(re.findall(r"alertname: (\w+)", (DEPLOY / "prometheus" / "alerts_test.yml").read_text()))
    assert tested == {rule["alert"] for rule in rules()}


def rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def dashboard_queries() -> list[str]:
    queries = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            queries += [target["expr"] for target in panel.get("targets", [])]
    return queries


def test_promql_names_are_read_right() -> None:
    expr = 'histogram_quantile(0.95, sum by (route, le) (rate(a_bucket{job="$job",x=~"b|c"}[5m]))) / on(x) b'
    assert metric_names(expr) == {"a_bucket", "b"}
    assert metric_names('sum(up{job="x"}) > bool 0 and c_total offset 5m') == {"up", "c_total"}


@pytest.fixture(scope="module")
def jobs_ran(served: Served) -> dict[str, list[Sample]]:
    """Four jobs through the real worker: three that succeed, one that fails (and is retried);
    the scrape once the worker has run them all and failed the poisoned one at least once."""
    settings = Settings(DATABASE_URL=served.env["DATABASE_URL"], MERCENARY_ENV="development")
    broker: Any = open_broker(settings)
    folder = served.log.parent / "jobs"
    folder.mkdir()
    try:
        for _ in range(3):
            broker.enqueue(build_message(RECORD_HIGH, {"folder": str(folder)}, str(uuid.uuid4())))
        broker.enqueue(build_message(POISON, {"folder": str(folder)}, str(uuid.uuid4())))
    finally:
        broker.close()

    def done() -> bool:
        found = served.metrics()
        ran = total(found, "job_duration_seconds_count", job_name="tests.record_high") == 3
        return ran and total(found, "job_failures_total", job_name="tests.poison") >= 1

    wait_until(done, 30, "the jobs' series")
    return served.metrics()


@pytest.mark.slow
def test_a_real_worker_exports_the_job_series(jobs_ran: dict[str, list[Sample]]) -> None:
    found = jobs_ran
    # Every attempt is timed, per job: the three records and the poisoned one's failed attempts.
    assert total(found, "job_duration_seconds_count", job_name="tests.record_high") == 3
    assert 0 < total(found, "job_duration_seconds_sum", job_name="tests.record_high") < 5
    failed = total(found, "job_failures_total", job_name="tests.poison")
    assert failed >= 1
    assert total(found, "job_duration_seconds_count", job_name="tests.poison") >= failed
    assert total(found, "job_failures_total", job_name="tests.record_high") == 0
    # The wait for a worker, per priority queue: started within the worker's polling interval.
    assert total(found, "queue_wait_seconds_count", queue="high") == 3
    assert 0 <= total(found, "queue_wait_seconds_sum", queue="high") < 3 * 5
    assert total(found, "queue_wait_seconds_bucket", queue="high", le="+Inf") == 3
    assert total(found, "queue_wait_seconds_count", queue="default") >= 1
    # The depth of every priority, read from the broker by the API: nothing high is left.
    depths = {s.labels["queue"]: s.value for s in found["queue_depth"]}
    assert set(depths) == {"high", "default", "low"}
    assert depths["high"] == 0
    assert depths["low"] == 0


def test_dashboards_and_alerts_read_only_exported_metrics(
    served: Served, jobs_ran: dict[str, list[Sample]]
) -> None:
    # A cached read, so that the cache series (labelled by kind) have samples.
    signup = {"email": "ops@example.com", "password": "a long password", "name": "Ops", "role": "client"}
    token = served.post("/api/v1/auth/signup", {**signup, "organization": "Ops"})["access_token"]
    for _ in range(2):
        served.get("/api/v1/users/me", token)
    # The worker that served them publishes its cache counters within a few seconds.
    wait_until(lambda: "cache_hits_total" in served.metrics(), 15, "cache counters")
    exported = set(served.metrics()) | PROMETHEUS_OWN
    queries = dashboard_queries()
    assert len(queries) >= 15, "the dashboard lost its panels"
    read = {name for expr in queries + [rule["expr"] for rule in rules()] for name in metric_names(expr)}
    assert read, "no metric names found in the queries"
    assert read <= exported, f"not exported: {sorted(read - exported)}"


@pytest.fixture
def prometheus(served: Served, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": "mercenary", "static_configs": [{"targets": [f"127.0.0.1:{served.port}"]}]}
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            tool("prometheus"),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http_ok(f"{url}/-/ready"), 60, "prometheus", proc)
        yield url
    finally:
        stop(proc)
        log.close()


def api(base: str, path: str, **params: str) -> Any:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{base}/api/v1/{path}{query}", timeout=5) as response:  # noqa: S310 (loopback)
        body = json.loads(response.read())
    assert body["status"] == "success", body
    return body["data"]


def test_a_real_prometheus_scrapes_the_service(served: Served, prometheus: str) -> None:
    for _ in range(25):
        assert served.get("/health")[0] == 200
    expr = 'sum(request_duration_seconds_count{job="mercenary",route="/health"})'

    def recorded() -> float:
        result = api(prometheus, "query", query=expr)["result"]
        return float(result[0]["value"][1]) if result else 0.0

    deadline = time.monotonic() + 30
    while recorded() < 25 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert recorded() >= 25
    up = api(prometheus, "query", query='up{job="mercenary"}')["result"]
    assert [float(r["value"][1]) for r in up] == [1.0]
    # Every dashboard query is valid PromQL for this Prometheus, and the alert rules loaded.
    for query in dashboard_queries():
        api(prometheus, "query", query=query.replace("$__rate_interval", "1m").replace("$job", "mercenary"))
    groups = api(prometheus, "rules")["groups"]
    loaded = {rule["name"]: rule["health"] for group in groups for rule in group["rules"]}
    assert set(loaded) == {rule["alert"] for rule in rules()}
    assert set(loaded.values()) <= {"ok", "unknown"}


def test_counts_are_the_whole_instance_whichever_worker_answers(served: Served) -> None:
    before = total(served.metrics(), "request_duration_seconds_count", route="/health")
    for _ in range(40):
        assert served.get("/health")[0] == 200
    for _ in range(6):  # scrapes land on either worker; each must see all 40
        found = served.metrics()
        assert total(found, "request_duration_seconds_count", route="/health") - before == 40
    pids = {s.labels["pid"] for s in found["process_resident_memory_bytes"]}
    assert len(pids) == 2
    assert all(s.value > 20e6 for s in found["process_resident_memory_bytes"])
    assert total(found, "process_cpu_seconds_total") > 0
    assert total(found, "memory_limit_bytes") > 0
    assert total(found, "db_pool_size") == 2  # each worker's SQLite writer, summed over live workers


def test_serve_logs_json_lines_with_request_ids(served: Served) -> None:
    served.get("/health")
    lines = [line for line in served.log.read_text().splitlines() if line.startswith("{")]
    records = [orjson.loads(line) for line in lines]
    access = [r for r in records if r["logger"] == "mercenary.access" and r["route"] == "/health"]
    assert access and all(re.fullmatch(r"[0-9a-f]{32}", r["request_id"]) for r in access)
    assert any(r["logger"].startswith("uvicorn") for r in records)  # the server's own lines too
