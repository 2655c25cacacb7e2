"""The metrics of ``mercenary serve --workers 2`` (OBS-1): whichever worker answers the scrape, the
counts are the instance's, and every worker's RSS and CPU are there."""

from __future__ import annotations

import re

import orjson

from tests.deploy.conftest import Served
from tests.support.metrics import total


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
