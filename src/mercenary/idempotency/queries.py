"""Idempotency-key statements."""

import sqlalchemy as sa

# PostgreSQL's INSERT construct: its ON CONFLICT clause also compiles to SQLite's identical syntax.
from sqlalchemy.dialects.postgresql import insert as upsert

from mercenary.db import Query
from mercenary.idempotency.tables import idempotency_keys as ik

bp = sa.bindparam
_key = sa.and_(ik.c.scope == bp("scope"), ik.c.key == bp("key"))

# The claim: a row in flight, unless the (scope, key) exists (then nothing is returned).
claim = Query(
    "idempotency.claim",
    upsert(ik)
    .values(
        scope=bp("scope"),
        key=bp("key"),
        fingerprint=bp("fingerprint"),
        created_at=bp("now"),
        expires_at=bp("expires_at"),
    )
    .on_conflict_do_nothing(index_elements=[ik.c.scope, ik.c.key])
    .returning(ik.c.id),
)

find = Query(
    "idempotency.find",
    sa.select(ik.c.id, ik.c.fingerprint, ik.c.status, ik.c.body, ik.c.created_at, ik.c.expires_at).where(
        _key
    ),
)

# Claim an existing row again: one that expired (not purged yet), or one still "in flight" long
# after its request must have died. The WHERE makes it atomic: of two takers, one gets the row.
take_over = Query(
    "idempotency.take_over",
    sa.update(ik)
    .where(
        _key,
        sa.or_(ik.c.expires_at <= bp("now"), sa.and_(ik.c.status.is_(None), ik.c.created_at <= bp("stale"))),
    )
    .values(
        fingerprint=bp("fingerprint"),
        status=sa.null(),
        body=sa.null(),
        created_at=bp("now"),
        expires_at=bp("expires_at"),
    )
    .returning(ik.c.id),
)

complete = Query(
    "idempotency.complete",
    sa.update(ik).where(ik.c.id == bp("id")).values(status=bp("status"), body=bp("body")),
)

# Only a claim still in flight is released: a completed key keeps its response.
release = Query("idempotency.release", sa.delete(ik).where(ik.c.id == bp("id"), ik.c.status.is_(None)))

# Expired keys, ``batch`` at a time (served by the index on expires_at), so one purge holds SQLite's
# write lock or PostgreSQL's row locks briefly however many keys have piled up.
purge = Query(
    "idempotency.purge",
    sa.delete(ik).where(
        ik.c.id.in_(sa.select(ik.c.id).where(ik.c.expires_at <= bp("now")).limit(bp("batch")))
    ),
)
