"""The cost of PgBouncer in transaction mode against a direct connection (DB-6), closed loop.

Not a test: a measurement. It starts its own throwaway PostgreSQL and a PgBouncer 1.18 in
transaction mode in front of it (the topology's settings, ``mercenary_perf.topology.parts``), gives
the database 10,000 users, and runs through Mercenary's storage layer, in alternating rounds:

- ``direct/cache``: a direct connection with asyncpg's prepared-statement cache (the default);
- ``direct/nocache``: a direct connection, ``DB_STATEMENT_CACHE_SIZE=0``;
- ``bouncer/nocache``: through PgBouncer, ``DB_STATEMENT_CACHE_SIZE=0`` and
  ``DB_STATEMENT_TIMEOUT_MODE=transaction`` (the settings PgBouncer < 1.21 needs).

Two operations: a by-id read outside a transaction, and a transaction (BEGIN, one read, COMMIT).
Figures are medians over rounds, in operations per second, and their ratio to ``direct/cache``.

    .venv/bin/python benchmarks/pgbouncer_vs_direct.py --rounds 5 --ops 3000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
from collections.abc import Awaitable, Callable
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from mercenary.db import Database, open_database
from mercenary.db.migrate import upgrade
from mercenary.settings import Settings
from mercenary.users import queries
from mercenary_perf.topology.parts import PgBouncer, Primary
from storage_vs_driver import ensure_users, rate

CONFIGS: dict[str, dict[str, Any]] = {
    "direct/cache": {},
    "direct/nocache": {"DB_STATEMENT_CACHE_SIZE": 0},
    "bouncer/nocache": {"DB_STATEMENT_CACHE_SIZE": 0, "DB_STATEMENT_TIMEOUT_MODE": "transaction"},
}


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=3000, help="operations per round, config and kind")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()

    primary = Primary.start()
    folder = Path(mkdtemp(prefix="mercenary-bench-"))
    bouncer = PgBouncer(folder, "bench", primary.port)
    bouncer.start()
    try:
        primary.psql("CREATE DATABASE bench")
        url = primary.url("bench")
        await asyncio.to_thread(upgrade, url)
        have = await ensure_users(url, 10_000)
        dbs: dict[str, Database] = {}
        for name, extra in CONFIGS.items():
            target = bouncer.url("bench") if name.startswith("bouncer") else url
            settings = Settings(DATABASE_URL=target, DB_POOL_SIZE=args.concurrency, **extra)
            dbs[name] = open_database(settings)
            await dbs[name].connect()

        def read(db: Database) -> Callable[[int], Awaitable[object]]:
            return lambda i: db.fetch_one(queries.get_user, id=i)

        def transaction(db: Database) -> Callable[[int], Awaitable[object]]:
            async def op(i: int) -> object:
                async with db.transaction() as conn:
                    return await conn.fetch_one(queries.get_user, id=i)

            return op

        results: dict[tuple[str, str], list[float]] = {}
        rng = random.Random(1)
        for _ in range(args.rounds):
            ids = [rng.randint(1, have) for _ in range(args.ops)]
            for kind, make in (("read", read), ("transaction", transaction)):
                for name, db in dbs.items():
                    results.setdefault((kind, name), []).append(await rate(make(db), ids, args.concurrency))
        for db in dbs.values():
            await db.close()
    finally:
        proc = bouncer.proc
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
        primary.stop()
    print(f"concurrency {args.concurrency}; {args.rounds} rounds x {args.ops} operations; medians in ops/s")
    for kind in ("read", "transaction"):
        base = statistics.median(results[(kind, "direct/cache")])
        for name in CONFIGS:
            m = statistics.median(results[(kind, name)])
            print(f"{kind:12} {name:16} {m:9,.0f} ops/s   x{m / base:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
