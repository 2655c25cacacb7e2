"""Refresh-token statements. Rotation is one conditional UPDATE, so two concurrent uses of the same
token cannot both succeed."""

import sqlalchemy as sa

from mercenary.auth.tables import refresh_tokens as rt
from mercenary.db import Query

insert_refresh = Query(
    "refresh_tokens.insert",
    sa.insert(rt).values(
        user_id=sa.bindparam("user_id"),
        family_id=sa.bindparam("family_id"),
        token_hash=sa.bindparam("token_hash"),
        created_at=sa.bindparam("now"),
        expires_at=sa.bindparam("expires_at"),
    ),
)

# Revoke the presented token if it is live; the RETURNING row says whether the rotation won.
consume_refresh = Query(
    "refresh_tokens.consume",
    sa.update(rt)
    .where(
        rt.c.token_hash == sa.bindparam("token_hash"),
        rt.c.revoked_at.is_(None),
        rt.c.expires_at > sa.bindparam("now"),
    )
    .values(revoked_at=sa.bindparam("now"))
    .returning(rt.c.user_id, rt.c.family_id),
)

find_refresh = Query(
    "refresh_tokens.find",
    sa.select(rt.c.user_id, rt.c.family_id, rt.c.revoked_at, rt.c.expires_at).where(
        rt.c.token_hash == sa.bindparam("token_hash")
    ),
)

revoke_family = Query(
    "refresh_tokens.revoke_family",
    sa.update(rt)
    .where(rt.c.family_id == sa.bindparam("family_id"), rt.c.revoked_at.is_(None))
    .values(revoked_at=sa.bindparam("now")),
)
