"""Refresh tokens, stored server-side as SHA-256 digests and rotated on every use."""

import sqlalchemy as sa

from mercenary.db.metadata import UTCDateTime, created_at_column, fk_column, id_column, metadata

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    id_column(),
    fk_column("user_id", "users.id"),
    # Every token descended from one log-in shares a family; reuse of a rotated token revokes it all.
    sa.Column("family_id", sa.String(32), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    created_at_column(),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Index("ix_refresh_tokens_family_id", "family_id"),
    sa.Index("ix_refresh_tokens_user_id", "user_id"),
)
