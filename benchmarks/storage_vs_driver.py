"""By-id read through Mercenary's storage layer vs the raw asyncpg driver, on the same PostgreSQL.

Not a test: a measurement. Both sides run the same SQL on pools of the same size, in alternating
rounds (so machine noise hits both alike); the figures are medians over rounds and their ratio.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/storage_vs_driver.py

The database is migrated and given 10,000 users if it has none.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg

from mercenary.db import open_database
from mercenary.db.migrate import upgrade
from mercenary.db.postgres import asyncpg_dsn
from mercenary.settings import Settings
from mercenary.users import queries


async def ensure_users(url: str, count: int) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        have = await conn.fetchval("SELECT count(*) FROM users")
        now = datetime.now(UTC)
        if not have:
            await conn.execute(
                "INSERT INTO organizations (id, name, kind, invitation_code, created_at) "
                "OVERRIDING SYSTEM VALUE VALUES (1, 'Bench', 'company', 'bench', now())"
            )
            await conn.copy_records_to_table(
                "users",
                records=[
                    (i, 1, f"u{i}@bench.example.com", f"User {i}", "client", "x", True, now)
                    for i in range(1, count + 1)
                ],
                columns=[
                    "id",
                    "tenant_id",
                    "email",
                    "name",
                    "role",
                    "password_hash",
                    "is_active",
                    "created_at",
                ],
            )
            have = count
        return int(have)
    finally:
        await conn.close()


async def rate(op: Callable[[int], Awaitable[object]], ids: list[int], concurrency: int) -> float:
    """Operations per second for ``ids`` spread over ``concurrency`` tasks, each waiting for its
    answer (closed loop; the other benchmarks on PostgreSQL measure with it too)."""
    chunks = [ids[i::concurrency] for i in range(concurrency)]

    async def worker(chunk: list[int]) -> None:
        for i in chunk:
            await op(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in chunks))
    return len(ids) / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reads", type=int, default=20_000, help="reads per round and side")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument(
        "--statement-cache", type=int, default=None, help="asyncpg statement cache size (0 = PgBouncer-safe)"
    )
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    await asyncio.to_thread(upgrade, url)
    have = await ensure_users(url, 10_000)
    overrides = {"DATABASE_URL": url, "DB_POOL_SIZE": args.concurrency}
    if args.statement_cache is not None:
        overrides["DB_STATEMENT_CACHE_SIZE"] = args.statement_cache
    settings = Settings(**overrides)
    db = open_database(settings)
    await db.connect()
    raw_pool = await asyncpg.create_pool(
        asyncpg_dsn(url),
        min_size=args.concurrency,
        max_size=args.concurrency,
        statement_cache_size=settings.DB_STATEMENT_CACHE_SIZE,
        server_settings={"statement_timeout": str(settings.DB_STATEMENT_TIMEOUT_MS)},
    )
    sql = queries.get_user.compiled(db.dialect).sql  # the very SQL the storage layer sends

    async def via_storage(user_id: int) -> object:
        return await db.fetch_one(queries.get_user, id=user_id)

    async def via_driver(user_id: int) -> object:
        record = await raw_pool.fetchrow(sql, user_id)
        return None if record is None else dict(record)

    rng = random.Random(1)
    assert await via_storage(1) is not None
    assert await via_driver(1) is not None
    storage, driver = [], []
    for _ in range(args.rounds):
        ids = [rng.randint(1, have) for _ in range(args.reads)]
        driver.append(await rate(via_driver, ids, args.concurrency))
        storage.append(await rate(via_storage, ids, args.concurrency))
    await db.close()
    await raw_pool.close()
    s, d = statistics.median(storage), statistics.median(driver)
    print(
        f"statement cache size: {settings.DB_STATEMENT_CACHE_SIZE}; concurrency {args.concurrency}; "
        f"{args.rounds} rounds x {args.reads} reads"
    )
    print(f"raw asyncpg    median {d:9,.0f} reads/s   rounds {[round(x) for x in driver]}")
    print(f"storage layer  median {s:9,.0f} reads/s   rounds {[round(x) for x in storage]}")
    print(f"storage / raw  {s / d:.3f}   (overhead {100 * (1 - s / d):.1f} %)")


if __name__ == "__main__":
    asyncio.run(main())
