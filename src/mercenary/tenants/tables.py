"""Organization tables."""

import sqlalchemy as sa

from mercenary.db.metadata import created_at_column, id_column, metadata

organizations = sa.Table(
    "organizations",
    metadata,
    id_column(),
    sa.Column("name", sa.String(120), nullable=False),
    # "company" organizations are created by clients; "personal" ones belong to one freelancer.
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("invitation_code", sa.String(32), nullable=False, unique=True),
    created_at_column(),
    sa.CheckConstraint("kind IN ('company', 'personal')", name="kind"),
)
