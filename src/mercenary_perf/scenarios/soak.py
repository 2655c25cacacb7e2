"""soak: a steady mixed load for any duration, watching memory and latency creep (SLO-7, SLO-8).

Traffic: 80/20 read/write with the choices of `mixed` (Zipf hot sets of ids and search
words, fresh bids, PATCHes of the client's own projects) at `rate` (default 300 req/s;
SLO-8 asks for 0.6x the measured peak for 2 h, a short soak runs in CI) for `duration`
(default 300 s). The server's RSS
(process tree) is sampled every 10 s; the rig passes its pid, or use --server-pid.
Thresholds: reads p95 < 200 (SLO-1); errors < 0.1 % (SLO-3); RSS max < 300 MB (SLO-7);
RSS slope after the first third < 20 MB/h (SLO-8, no growth); median per-second p95 of
the last third vs the first third, (last + 5 ms) / (first + 5 ms) < 1.25 (SLO-8, no creep).
"""

from __future__ import annotations

from mercenary_perf.generator import Flow
from mercenary_perf.scenarios.actions import READ_WRITE_GROUPS, mix, prepare, read_one, write_one
from mercenary_perf.scenarios.base import Context, Scenario
from mercenary_perf.shapes import constant
from mercenary_perf.slo import Threshold, error_rate, p95

RSS_EVERY_S = 10.0


async def setup(ctx: Context) -> Flow:
    """Same mix as `mixed`."""
    pool = await prepare(ctx)
    if ctx.options.server_pid is None:
        ctx.notes.append("no server pid: RSS is not sampled and the memory thresholds cannot pass")
    return mix(pool, [(80, read_one(pool)), (20, write_one(pool))])


SCENARIO = Scenario(
    name="soak",
    traffic=__doc__ or "",
    requirements=("SLO-7", "SLO-8", "SLO-1", "SLO-3"),
    setup=setup,
    shape=constant,
    rate=300,
    duration_s=300,
    thresholds=(
        p95(200, "SLO-1", "group:read"),
        error_rate(0.001, "SLO-3"),
        Threshold("SLO-7", "rss_max_mb", "<", 300, "extra", "MB"),
        Threshold("SLO-8", "rss_growth_mb_per_h", "<", 20, "extra", "MB/h"),
        Threshold("SLO-8", "p95_creep_ratio", "<", 1.25, "extra"),
    ),
    groups=READ_WRITE_GROUPS,
    kind="soak",
)
