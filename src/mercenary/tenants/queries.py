"""Organization statements."""

import sqlalchemy as sa

from mercenary.db import Query
from mercenary.tenants.tables import organizations as o

insert_organization = Query(
    "organizations.insert",
    sa.insert(o)
    .values(
        name=sa.bindparam("name"),
        kind=sa.bindparam("kind"),
        invitation_code=sa.bindparam("invitation_code"),
        created_at=sa.bindparam("created_at"),
    )
    .returning(o.c.id, o.c.name, o.c.kind, o.c.invitation_code, o.c.created_at),
)

get_organization = Query(
    "organizations.get",
    sa.select(o.c.id, o.c.name, o.c.kind, o.c.invitation_code, o.c.created_at).where(
        o.c.id == sa.bindparam("id")
    ),
)

find_company_by_invitation = Query(
    "organizations.find_by_invitation",
    sa.select(o.c.id, o.c.name, o.c.kind).where(
        o.c.invitation_code == sa.bindparam("code"), o.c.kind == "company"
    ),
)

is_company = Query(
    "organizations.is_company",
    sa.select(sa.literal(1)).where(o.c.id == sa.bindparam("id"), o.c.kind == "company"),
)
