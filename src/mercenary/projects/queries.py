"""Project statements. Status changes are conditional UPDATEs (``WHERE status = <expected>``): when
two requests race, the database lets exactly one of them win and the other sees zero rows."""

import sqlalchemy as sa

from mercenary.db import Query
from mercenary.projects.tables import project_skills as ps
from mercenary.projects.tables import projects as p
from mercenary.skills.tables import skills as s

bp = sa.bindparam

COLUMNS = (
    p.c.id,
    p.c.tenant_id,
    p.c.owner_id,
    p.c.title,
    p.c.description,
    p.c.budget,
    p.c.status,
    p.c.created_at,
    p.c.updated_at,
)
# A literal, not a parameter: PostgreSQL uses the partial index ix_projects_open_id only when it can see
# the predicate in the SQL text.
IS_OPEN = p.c.status == sa.literal_column("'open'")

insert_project = Query(
    "projects.insert",
    sa.insert(p)
    .values(
        tenant_id=bp("tenant_id"),
        owner_id=bp("owner_id"),
        title=bp("title"),
        description=bp("description"),
        budget=bp("budget"),
        status=bp("status"),
        created_at=bp("now"),
        updated_at=bp("now"),
    )
    .returning(*COLUMNS),
)

get_project = Query("projects.get", sa.select(*COLUMNS).where(p.c.id == bp("id")))

# FOR SHARE on PostgreSQL: a proposal being submitted holds the project open until it commits, so an
# accept (which UPDATEs the row) waits and then sees the new proposal. SQLite has one writer anyway.
get_project_shared = Query(
    "projects.get_shared", sa.select(*COLUMNS).where(p.c.id == bp("id")).with_for_update(read=True)
)

# FOR UPDATE on PostgreSQL: serializes the reviews of one project (one review per side).
get_project_locked = Query(
    "projects.get_locked", sa.select(*COLUMNS).where(p.c.id == bp("id")).with_for_update()
)

update_project = Query(
    "projects.update",
    sa.update(p)
    .where(p.c.id == bp("id"), p.c.tenant_id == bp("tenant_id"), p.c.status == bp("expected"))
    .values(
        title=bp("title"),
        description=bp("description"),
        budget=bp("budget"),
        status=bp("status"),
        updated_at=bp("now"),
    )
    .returning(*COLUMNS),
)

close_project = Query(
    "projects.close",
    sa.update(p)
    .where(p.c.id == bp("id"), p.c.tenant_id == bp("tenant_id"), IS_OPEN)
    .values(status="closed", updated_at=bp("now"))
    .returning(p.c.id),
)

delete_draft = Query(
    "projects.delete_draft",
    sa.delete(p).where(
        p.c.id == bp("id"), p.c.tenant_id == bp("tenant_id"), p.c.status == sa.literal_column("'draft'")
    ),
)

insert_skill = Query(
    "project_skills.insert",
    sa.insert(ps).values(project_id=bp("project_id"), skill_id=bp("skill_id")),
)

delete_skills = Query("project_skills.delete", sa.delete(ps).where(ps.c.project_id == bp("project_id")))

# The skill slugs of a page of projects in one statement (DB-3): the link table joined to the
# taxonomy, so a project read costs no second round trip for the names.
skills_of = Query(
    "project_skills.of_projects",
    sa.select(ps.c.project_id, s.c.slug)
    .select_from(ps.join(s, s.c.id == ps.c.skill_id))
    .where(ps.c.project_id.in_(bp("ids", expanding=True))),
)

# The caller's own projects among a batch's ids (others are left out and reported as not found).
own_projects = Query(
    "projects.own_among",
    sa.select(*COLUMNS).where(p.c.id.in_(bp("ids", expanding=True)), p.c.tenant_id == bp("tenant_id")),
)
