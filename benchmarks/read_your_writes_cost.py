"""What read-your-writes (DB-8) costs a request, closed loop, on a primary and a streaming replica.

Not a test: a measurement. It starts a throwaway primary and a replica cloned from it
(``mercenary_perf.topology.parts``), gives the database 10,000 users, and times through Mercenary's
storage layer, each operation in a read session of its own (as each request gets one):

- ``read, no session``: a by-id read outside any request (a worker): the primary;
- ``read, session``: the same read in a request that carries no LSN: the replica, no check;
- ``read, LSN replayed``: the request carries an LSN the process knows is replayed: the replica;
- ``read, LSN ahead``: an LSN the replica has not replayed: one round trip to ask, then the primary
  (the worst case, paid once per request while the replica lags);
- ``transaction`` outside a session vs inside one (+ ``pg_current_wal_insert_lsn()`` after COMMIT).

And the signed token's cost (sign and verify, in microseconds). Medians over rounds.

    .venv/bin/python benchmarks/read_your_writes_cost.py --rounds 5 --ops 2000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import timeit
from collections.abc import Awaitable, Callable

from mercenary.db import open_database
from mercenary.db.migrate import upgrade
from mercenary.db.postgres import PostgresDatabase
from mercenary.db.replica import read_session
from mercenary.settings import Settings
from mercenary.users import queries
from mercenary.web.middleware.read_your_writes import sign, verify
from mercenary_perf.topology.parts import Primary, Replica
from storage_vs_driver import ensure_users, rate

KEY = "bench-secret-key-0123456789abcdef0123456789"


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()

    primary = Primary.start()
    replica: Replica | None = None
    try:
        primary.psql("CREATE DATABASE bench")
        url = primary.url("bench")
        await asyncio.to_thread(upgrade, url)
        have = await ensure_users(url, 10_000)
        replica = Replica.follow(primary, None)
        settings = Settings(
            DATABASE_URL=url, DATABASE_REPLICA_URL=replica.url("bench"), DB_POOL_SIZE=args.concurrency
        )
        db = open_database(settings)
        assert isinstance(db, PostgresDatabase)
        await db.connect()
        assert db.routed is not None
        await asyncio.sleep(1)
        with read_session(1):  # learn the replayed LSN once
            await db.fetch_one(queries.get_user, id=1)
        replayed = db.routed.counters.replayed_lsn

        def read(after: int | None) -> Callable[[int], Awaitable[object]]:
            async def op(i: int) -> object:
                if after is None:
                    return await db.fetch_one(queries.get_user, id=i)
                with read_session(after):
                    return await db.fetch_one(queries.get_user, id=i)

            return op

        def transaction(in_session: bool) -> Callable[[int], Awaitable[object]]:
            async def op(i: int) -> object:
                if not in_session:
                    async with db.transaction() as conn:
                        return await conn.fetch_one(queries.get_user, id=i)
                with read_session():
                    async with db.transaction() as conn:
                        return await conn.fetch_one(queries.get_user, id=i)

            return op

        ops: dict[str, Callable[[int], Awaitable[object]]] = {
            "read, no session": read(None),
            "read, session": read(0),
            "read, LSN replayed": read(replayed),
            "read, LSN ahead": read((1 << 62) - 1),
            "transaction": transaction(False),
            "transaction, session": transaction(True),
        }
        results: dict[str, list[float]] = {}
        rng = random.Random(1)
        for _ in range(args.rounds):
            ids = [rng.randint(1, have) for _ in range(args.ops)]
            for name, op in ops.items():
                results.setdefault(name, []).append(await rate(op, ids, args.concurrency))
        await db.close()
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()
    print(f"concurrency {args.concurrency}; {args.rounds} rounds x {args.ops} operations; medians")
    base = {"read": statistics.median(results["read, no session"]), "transaction": 0.0}
    base["transaction"] = statistics.median(results["transaction"])
    for name, values in results.items():
        m = statistics.median(values)
        print(f"{name:22} {m:9,.0f} ops/s   x{m / base[name.split(',')[0]]:.2f}")
    token = sign(123_456_789, KEY)
    n = 20_000
    print(f"sign   {timeit.timeit(lambda: sign(123_456_789, KEY), number=n) / n * 1e6:.1f} us")
    print(f"verify {timeit.timeit(lambda: verify(token, (KEY,)), number=n) / n * 1e6:.1f} us")


if __name__ == "__main__":
    asyncio.run(main())
