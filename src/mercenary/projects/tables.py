"""Project tables. Search columns (PostgreSQL tsvector, SQLite FTS5) are created by the migrations
per dialect and are not declared here."""

from typing import Literal

import sqlalchemy as sa

from mercenary.db.metadata import UTCDateTime, created_at_column, fk_column, id_column, metadata, one_of

ProjectStatus = Literal["draft", "open", "closed", "cancelled"]

projects = sa.Table(
    "projects",
    metadata,
    id_column(),
    fk_column("tenant_id", "organizations.id"),
    fk_column("owner_id", "users.id"),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    # Whole currency units.
    sa.Column("budget", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    created_at_column(),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("budget >= 0", name="budget"),
    one_of("status", ProjectStatus),
    # An organization's own projects, newest first / by status (owner lists).
    sa.Index("ix_projects_tenant_id_id", "tenant_id", "id"),
    sa.Index("ix_projects_tenant_id_status_id", "tenant_id", "status", "id"),
    # The public list of open projects: a partial index holds only the open ones (DB-2).
    sa.Index(
        "ix_projects_open_id",
        "id",
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    ),
)

project_skills = sa.Table(
    "project_skills",
    metadata,
    fk_column("project_id", "projects.id", primary_key=True),
    fk_column("skill_id", "skills.id", primary_key=True),
    # Projects requiring a skill (skill filter on project lists and search).
    sa.Index("ix_project_skills_skill_id_project_id", "skill_id", "project_id"),
)
