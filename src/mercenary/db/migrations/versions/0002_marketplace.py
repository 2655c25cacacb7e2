"""Marketplace: skills, profiles, projects, proposals, reviews, rating aggregates; search structures.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:32:48.176675
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mercenary.db.metadata import UTCDateTime

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "skills",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("slug", name=op.f("uq_skills_slug")),
    )
    op.create_table(
        "skill_aliases",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        sa.Column("skill_id", ID, nullable=False),
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_skill_aliases_skill_id_skills"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_aliases")),
        sa.UniqueConstraint("alias", name=op.f("uq_skill_aliases_alias")),
    )
    with op.batch_alter_table("skill_aliases", schema=None) as batch_op:
        batch_op.create_index("ix_skill_aliases_skill_id", ["skill_id"], unique=False)

    op.create_table(
        "freelancer_profiles",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("headline", sa.String(length=200), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("hourly_rate", sa.Integer(), nullable=False),
        sa.Column("availability", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "availability IN ('available', 'busy', 'unavailable')",
            name=op.f("ck_freelancer_profiles_availability"),
        ),
        sa.CheckConstraint("hourly_rate >= 0", name=op.f("ck_freelancer_profiles_hourly_rate")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["organizations.id"],
            name=op.f("fk_freelancer_profiles_tenant_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_freelancer_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_freelancer_profiles")),
    )
    op.create_table(
        "projects",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'cancelled')", name=op.f("ck_projects_status")
        ),
        sa.CheckConstraint("budget >= 0", name=op.f("ck_projects_budget")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_projects_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["organizations.id"],
            name=op.f("fk_projects_tenant_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_projects_open_id",
            ["id"],
            unique=False,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )
        batch_op.create_index("ix_projects_tenant_id_id", ["tenant_id", "id"], unique=False)
        batch_op.create_index("ix_projects_tenant_id_status_id", ["tenant_id", "status", "id"], unique=False)

    op.create_table(
        "rating_aggregates",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("r1", sa.Integer(), nullable=False),
        sa.Column("r2", sa.Integer(), nullable=False),
        sa.Column("r3", sa.Integer(), nullable=False),
        sa.Column("r4", sa.Integer(), nullable=False),
        sa.Column("r5", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_rating_aggregates_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_rating_aggregates")),
    )
    op.create_table(
        "profile_skills",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("skill_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_profile_skills_skill_id_skills"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["freelancer_profiles.user_id"],
            name=op.f("fk_profile_skills_user_id_freelancer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "skill_id", name=op.f("pk_profile_skills")),
    )
    with op.batch_alter_table("profile_skills", schema=None) as batch_op:
        batch_op.create_index("ix_profile_skills_skill_id_user_id", ["skill_id", "user_id"], unique=False)

    op.create_table(
        "project_skills",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("skill_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_skills_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_project_skills_skill_id_skills"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "skill_id", name=op.f("pk_project_skills")),
    )
    with op.batch_alter_table("project_skills", schema=None) as batch_op:
        batch_op.create_index(
            "ix_project_skills_skill_id_project_id", ["skill_id", "project_id"], unique=False
        )

    op.create_table(
        "proposals",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("freelancer_id", ID, nullable=False),
        sa.Column("cover_letter", sa.Text(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'rejected', 'withdrawn')", name=op.f("ck_proposals_status")
        ),
        sa.CheckConstraint("price >= 0", name=op.f("ck_proposals_price")),
        sa.ForeignKeyConstraint(
            ["freelancer_id"], ["users.id"], name=op.f("fk_proposals_freelancer_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_proposals_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["organizations.id"],
            name=op.f("fk_proposals_tenant_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("ix_proposals_freelancer_id_id", ["freelancer_id", "id"], unique=False)
        batch_op.create_index("ix_proposals_project_id_id", ["project_id", "id"], unique=False)
        batch_op.create_index("ix_proposals_tenant_id_id", ["tenant_id", "id"], unique=False)
        batch_op.create_index(
            "uq_proposals_live",
            ["project_id", "freelancer_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('submitted', 'accepted')"),
            sqlite_where=sa.text("status IN ('submitted', 'accepted')"),
        )

    op.create_table(
        "reviews",
        sa.Column("id", ID, sa.Identity(always=False), nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("reviewer_id", ID, nullable=False),
        sa.Column("reviewee_id", ID, nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_reviews_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewee_id"], ["users.id"], name=op.f("fk_reviews_reviewee_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_reviews_reviewer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("project_id", "reviewer_id", name="uq_reviews_project_id_reviewer_id"),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index("ix_reviews_reviewee_id_id", ["reviewee_id", "id"], unique=False)

    create_search_structures()


# Search structures are per dialect and not declared on the tables: PostgreSQL keeps a generated,
# weighted tsvector with a GIN index; SQLite keeps an external-content FTS5 index synced by triggers.
PG_SEARCH = [
    """ALTER TABLE projects ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
         setweight(to_tsvector('english', coalesce(description, '')), 'B')) STORED""",
    "CREATE INDEX ix_fts_projects_open ON projects USING gin (search_vector) WHERE status = 'open'",
    """ALTER TABLE freelancer_profiles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('english', coalesce(headline, '')), 'A') ||
         setweight(to_tsvector('english', coalesce(bio, '')), 'B')) STORED""",
    "CREATE INDEX ix_fts_profiles ON freelancer_profiles USING gin (search_vector)",
]


def _sqlite_fts(name: str, table: str, key: str, columns: tuple[str, str]) -> list[str]:
    a, b = columns
    new = f"new.{key}, new.{a}, new.{b}"
    old = f"'delete', old.{key}, old.{a}, old.{b}"
    return [
        f"CREATE VIRTUAL TABLE {name} USING fts5({a}, {b}, content='{table}', content_rowid='{key}', "
        "tokenize='porter unicode61')",
        f"CREATE TRIGGER {name}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {name}(rowid, {a}, {b}) VALUES ({new}); END",
        f"CREATE TRIGGER {name}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {name}({name}, rowid, {a}, {b}) VALUES ({old}); END",
        f"CREATE TRIGGER {name}_au AFTER UPDATE OF {a}, {b} ON {table} BEGIN "
        f"INSERT INTO {name}({name}, rowid, {a}, {b}) VALUES ({old}); "
        f"INSERT INTO {name}(rowid, {a}, {b}) VALUES ({new}); END",
    ]


SQLITE_SEARCH = [
    *_sqlite_fts("fts_projects", "projects", "id", ("title", "description")),
    *_sqlite_fts("fts_profiles", "freelancer_profiles", "user_id", ("headline", "bio")),
]


def create_search_structures() -> None:
    for statement in PG_SEARCH if op.get_bind().dialect.name == "postgresql" else SQLITE_SEARCH:
        op.execute(statement)


def drop_search_structures() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE freelancer_profiles DROP COLUMN search_vector")
        op.execute("ALTER TABLE projects DROP COLUMN search_vector")
        return
    for name in ("fts_projects", "fts_profiles"):
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {name}")


def downgrade() -> None:
    drop_search_structures()
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_reviewee_id_id")

    op.drop_table("reviews")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_proposals_live",
            postgresql_where=sa.text("status IN ('submitted', 'accepted')"),
            sqlite_where=sa.text("status IN ('submitted', 'accepted')"),
        )
        batch_op.drop_index("ix_proposals_tenant_id_id")
        batch_op.drop_index("ix_proposals_project_id_id")
        batch_op.drop_index("ix_proposals_freelancer_id_id")

    op.drop_table("proposals")
    with op.batch_alter_table("project_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_project_skills_skill_id_project_id")

    op.drop_table("project_skills")
    with op.batch_alter_table("profile_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_profile_skills_skill_id_user_id")

    op.drop_table("profile_skills")
    op.drop_table("rating_aggregates")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_tenant_id_status_id")
        batch_op.drop_index("ix_projects_tenant_id_id")
        batch_op.drop_index(
            "ix_projects_open_id",
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )

    op.drop_table("projects")
    op.drop_table("freelancer_profiles")
    with op.batch_alter_table("skill_aliases", schema=None) as batch_op:
        batch_op.drop_index("ix_skill_aliases_skill_id")

    op.drop_table("skill_aliases")
    op.drop_table("skills")
