"""Skill tables."""

import sqlalchemy as sa

from mercenary.db.metadata import created_at_column, fk_column, id_column, metadata

skills = sa.Table(
    "skills",
    metadata,
    id_column(),
    sa.Column("slug", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("category", sa.String(64), nullable=False),
    created_at_column(),
)

skill_aliases = sa.Table(
    "skill_aliases",
    metadata,
    id_column(),
    fk_column("skill_id", "skills.id"),
    # Another spelling that resolves to the skill ("js" -> "javascript"); unique across all skills.
    sa.Column("alias", sa.String(64), nullable=False, unique=True),
    sa.Index("ix_skill_aliases_skill_id", "skill_id"),
)
