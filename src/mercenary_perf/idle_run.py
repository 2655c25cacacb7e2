"""A scenario run with idle keep-alive connections held beside its traffic (``--idle-connections N``, SLO-10).

Order: the scenario's setup (logins, samples) first, so the connections are not idle through it;
then the ``N`` idle connections are opened and the server's RSS read before and after; then the
scenario's traffic; then every idle connection is checked (:meth:`IdleClients.verify`) and the RSS
read again; then they are closed. The report gets an ``idle`` section and two SLO-10 rows: every
connection held, and the server's RSS with them all open (before the load) under
:data:`RSS_LIMIT_MB`. The RSS row needs the server's pid (the rig passes it; ``run`` takes
``--server-pid``); without it the RSS is not judged.
"""

from __future__ import annotations

import argparse
from typing import Any

from mercenary_perf.idle import MAX_IDLE, IdleClients
from mercenary_perf.limits import prepare_for_connections
from mercenary_perf.rss import tree_rss_kb
from mercenary_perf.slo import Threshold

RSS_LIMIT_MB = 150.0  # one API process with 10,000 idle connections (half of SLO-7's 300 MB)


def add_idle_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--idle-connections N`` option of ``run`` and ``rig``."""

    def count(text: str) -> int:
        n = int(text)
        if not 0 <= n <= MAX_IDLE:
            raise argparse.ArgumentTypeError(f"between 0 and {MAX_IDLE}")
        return n

    parser.add_argument(
        "--idle-connections",
        type=count,
        default=0,
        metavar="N",
        help="hold N keep-alive connections open and idle beside the traffic; each must still "
        "answer at the end (SLO-10, e.g. 10000)",
    )


def _rss_mb(pid: int | None) -> float | None:
    kb = tree_rss_kb(pid) if pid is not None else None
    return None if kb is None else round(kb / 1024, 1)


class IdleRun:
    """The idle connections of one run, the server's RSS around them, and what the report says."""

    def __init__(
        self, base_url: str, count: int, *, load_connections: int, server_pid: int | None, timeout_s: float
    ) -> None:
        # Room for the idle connections and the load's own, checked before anything is opened.
        self.limits = prepare_for_connections(count + load_connections)
        self.clients = IdleClients(base_url, count, timeout_s=timeout_s)
        self.server_pid = server_pid
        self.rss: dict[str, float | None] = {}

    async def open(self) -> None:
        """Open every idle connection (RSS read before and after)."""
        self.rss["before"] = _rss_mb(self.server_pid)
        await self.clients.open()
        self.rss["with_idle"] = _rss_mb(self.server_pid)

    async def finish(self) -> None:
        """Check every idle connection once the load is over (RSS read first), then close them all."""
        self.rss["after_load"] = _rss_mb(self.server_pid)
        await self.clients.verify()
        await self.clients.close()

    def thresholds(self) -> list[Threshold]:
        """SLO-10: every connection held; RSS with them all open (when the server's pid is known)."""
        rows = [Threshold("SLO-10", "idle_held", ">=", self.clients.count, "extra", "connections")]
        if self.server_pid is not None:
            rows.append(Threshold("SLO-10", "idle_rss_mb", "<", RSS_LIMIT_MB, "extra", "MB"))
        return rows

    def extra(self) -> dict[str, Any]:
        """The measured values the thresholds read."""
        return {"idle_held": self.clients.held, "idle_rss_mb": self.rss.get("with_idle")}

    def section(self) -> dict[str, Any]:
        """The report's ``idle`` section."""
        summary = self.clients.summary()
        before, with_idle = self.rss.get("before"), self.rss.get("with_idle")
        per_conn = None
        if before is not None and with_idle is not None and summary["opened"]:
            per_conn = round((with_idle - before) * 1024 / summary["opened"], 2)
        return {**summary, "rss_mb": self.rss, "rss_kb_per_connection": per_conn, "limits": self.limits}
