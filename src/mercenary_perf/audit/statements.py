"""What PostgreSQL itself saw during an audit: ``pg_stat_statements`` counts and times, and the
plans ``auto_explain`` logged.

The audit's cluster preloads both modules. ``pg_stat_statements`` counts every statement of every
session (the service's, whatever its driver), so the calls gained between two snapshots are the
statements the traffic in between really cost. ``auto_explain`` is off until :meth:`Audited.explain_on`
sets ``log_min_duration`` to 0: then every statement's plan is logged as ``EXPLAIN (ANALYZE,
BUFFERS, FORMAT JSON)`` would print it, with the real parameters of the request that ran it, in
the ``jsonlog`` file with its ``query_id`` (the same id as ``pg_stat_statements``'), which is how
a top statement finds its plan. Plans need real parameters: the normalised text of
``pg_stat_statements`` (``$1``) cannot be run through EXPLAIN ANALYZE.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from mercenary_perf.rig.services import PG_USER, Postgres

# The role the load generator samples the dataset as (read only): PostgreSQL counts statements per
# role, so the sampling's ``ORDER BY random()`` reads are kept out of what the service cost.
SAMPLER = "mercenary_perf_sampler"

STATEMENT_FIELDS = (
    "queryid",
    "calls",
    "total_exec_time",
    "mean_exec_time",
    "max_exec_time",
    "rows",
    "shared_blks_hit",
    "shared_blks_read",
    "query",
)


@dataclass(frozen=True)
class Statement:
    """One normalised statement's counters (cumulative since the last reset)."""

    queryid: int
    calls: int
    total_ms: float
    mean_ms: float
    max_ms: float
    rows: int
    blocks_hit: int
    blocks_read: int
    query: str


Snapshot = dict[int, Statement]


def delta(before: Snapshot, after: Snapshot) -> Snapshot:
    """What each statement gained between two snapshots (statements that did not run left out)."""
    out: Snapshot = {}
    for qid, now in after.items():
        was = before.get(qid)
        calls = now.calls - (was.calls if was else 0)
        if calls <= 0:
            continue
        total = now.total_ms - (was.total_ms if was else 0.0)
        out[qid] = Statement(
            qid,
            calls,
            round(total, 3),
            round(total / calls, 4),
            now.max_ms,
            now.rows - (was.rows if was else 0),
            now.blocks_hit - (was.blocks_hit if was else 0),
            now.blocks_read - (was.blocks_read if was else 0),
            now.query,
        )
    return out


def merge(into: Snapshot, more: Snapshot) -> None:
    """Add ``more``'s counters to ``into`` (statements of several runs on copies of one database)."""
    for qid, s in more.items():
        was = into.get(qid)
        if was is None:
            into[qid] = s
            continue
        calls = was.calls + s.calls
        total = was.total_ms + s.total_ms
        into[qid] = Statement(
            qid,
            calls,
            round(total, 3),
            round(total / calls, 4),
            max(was.max_ms, s.max_ms),
            was.rows + s.rows,
            was.blocks_hit + s.blocks_hit,
            was.blocks_read + s.blocks_read,
            s.query,
        )


class Audited(Postgres):
    """The rig's PostgreSQL with ``pg_stat_statements`` and ``auto_explain`` loaded, the slow
    statement log at 200 ms (002 §2.1) and its log as JSON lines. ``auto_explain.log_min_duration``
    stays at its default (-1, off) here: a command-line setting would outrank ``ALTER SYSTEM``."""

    SETTINGS: ClassVar[dict[str, str]] = {
        **Postgres.SETTINGS,
        "shared_preload_libraries": "pg_stat_statements,auto_explain",
        "compute_query_id": "on",
        "pg_stat_statements.max": "10000",
        "pg_stat_statements.track": "top",
        "track_io_timing": "on",
        "log_min_duration_statement": "200",
        "logging_collector": "on",
        "log_destination": "jsonlog",
        "log_directory": "log",
        "log_filename": "postgresql.log",
        "auto_explain.log_analyze": "on",
        "auto_explain.log_buffers": "on",
        "auto_explain.log_timing": "on",
        "auto_explain.log_format": "json",
        "auto_explain.log_nested_statements": "on",
    }

    def _start(self) -> None:
        super()._start()
        self.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        self.psql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SAMPLER}') THEN "
            f"CREATE ROLE {SAMPLER} LOGIN IN ROLE pg_read_all_data; END IF; END $$"
        )

    def sampler_url(self, db: str) -> str:
        """URL of database ``db`` as the generator's read-only sampling role."""
        return f"postgresql://{SAMPLER}@127.0.0.1:{self.port}/{db}"

    @staticmethod
    def _service_statements(database: str) -> str:
        """The WHERE clause of the statements the service ran in ``database`` (not the sampler's)."""
        return (
            f"WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '{database}') "
            f"AND userid = (SELECT oid FROM pg_roles WHERE rolname = '{PG_USER}')"
        )

    @property
    def jsonlog(self) -> Path:
        """The server's log of JSON lines (``logging_collector`` names it ``.json``)."""
        return self.data / "log" / "postgresql.json"

    def snapshot(self, database: str) -> Snapshot:
        """Every statement the service ran in ``database`` so far, with its counters."""
        fields = ", ".join(STATEMENT_FIELDS)
        sql = (
            f"SELECT coalesce(json_agg(s), '[]') FROM (SELECT {fields} FROM pg_stat_statements "
            f"{self._service_statements(database)}) s"
        )
        rows: list[dict[str, Any]] = json.loads(self.psql(sql) or "[]")
        return {
            int(r["queryid"]): Statement(
                int(r["queryid"]),
                int(r["calls"]),
                float(r["total_exec_time"]),
                float(r["mean_exec_time"]),
                float(r["max_exec_time"]),
                int(r["rows"]),
                int(r["shared_blks_hit"]),
                int(r["shared_blks_read"]),
                str(r["query"]),
            )
            for r in rows
            if r["queryid"] is not None
        }

    def calls(self, database: str) -> int:
        """Statements the service ran in ``database`` so far (all of them, summed)."""
        sql = f"SELECT coalesce(sum(calls), 0) FROM pg_stat_statements {self._service_statements(database)}"
        return int(self.psql(sql))

    def settings_of(self, *names: str) -> dict[str, str]:
        """The running values of server settings."""
        quoted = ", ".join(f"'{n}'" for n in names)
        rows = self.psql(f"SELECT name || '=' || setting FROM pg_settings WHERE name IN ({quoted})")
        return dict(line.split("=", 1) for line in rows.splitlines() if "=" in line)

    def explain_on(self, on: bool) -> None:
        """Log every statement's plan (with ANALYZE and BUFFERS) from now on, or stop."""
        change = "SET auto_explain.log_min_duration = 0" if on else "RESET auto_explain.log_min_duration"
        self.psql(f"ALTER SYSTEM {change}")  # reset: the cluster is the rig's too, without the module
        self.psql("SELECT pg_reload_conf()")
        time.sleep(0.2)  # backends read the reloaded file at their next command


def logged_plans(jsonlog: Path, since: int = 0) -> dict[int, dict[str, Any]]:
    """The last plan ``auto_explain`` logged for each query id, from byte ``since`` of the log:
    ``{"Query Text", "Plan", ...}`` plus the statement's ``Execution Time`` in ms."""
    plans: dict[int, dict[str, Any]] = {}
    if not jsonlog.exists():
        return plans
    with jsonlog.open("rb") as log:
        log.seek(since)
        for line in log:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            message = str(record.get("message", ""))
            head, sep, body = message.partition("plan:")
            qid = record.get("query_id")
            if not sep or not head.startswith("duration:") or not qid:
                continue
            try:
                plan = json.loads(body)
            except ValueError:
                continue
            plan["Execution Time"] = float(head.split()[1])
            plans[int(qid)] = plan
    return plans


def log_size(jsonlog: Path) -> int:
    """Where the log ends now (plans logged later are read from there)."""
    return jsonlog.stat().st_size if jsonlog.exists() else 0
