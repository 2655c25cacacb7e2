"""User tables."""

from typing import Literal

import sqlalchemy as sa

from mercenary.db.metadata import created_at_column, fk_column, id_column, metadata, one_of

Role = Literal["client", "freelancer", "admin"]

users = sa.Table(
    "users",
    metadata,
    id_column(),
    fk_column("tenant_id", "organizations.id", ondelete="RESTRICT"),
    # Stored lower-cased: the unique index makes e-mail addresses case-insensitive.
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()),
    created_at_column(),
    one_of("role", Role),
    # Members of an organization, in id order (GET /users keyset pagination).
    sa.Index("ix_users_tenant_id_id", "tenant_id", "id"),
)
