"""Organization tables."""

from typing import Literal

import sqlalchemy as sa

from mercenary.db.metadata import created_at_column, id_column, metadata, one_of

OrganizationKind = Literal["company", "personal"]

organizations = sa.Table(
    "organizations",
    metadata,
    id_column(),
    sa.Column("name", sa.String(120), nullable=False),
    # "company" organizations are created by clients; "personal" ones belong to one freelancer.
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("invitation_code", sa.String(32), nullable=False, unique=True),
    created_at_column(),
    one_of("kind", OrganizationKind),
)
