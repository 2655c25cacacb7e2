"""One row per (caller, key): who claimed it, for which request, and the response once there is one."""

import sqlalchemy as sa

from mercenary.db.metadata import UTCDateTime, created_at_column, id_column, metadata

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    id_column(),
    # Whose key: "user:<id>" for a signed-in caller, "ip:<address>" for an anonymous one.
    sa.Column("scope", sa.String(64), nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    # HMAC of method, path and body: the same key sent with another request is refused (422).
    sa.Column("fingerprint", sa.String(64), nullable=False),
    # NULL while the first request is in flight; then the response it got.
    sa.Column("status", sa.SmallInteger(), nullable=True),
    sa.Column("body", sa.LargeBinary(), nullable=True),
    created_at_column(),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    # The one guarantee everything else rests on: two requests cannot both claim a key.
    sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
    sa.Index("ix_idempotency_keys_expires_at", "expires_at"),
)
