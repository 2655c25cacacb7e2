"""User statements."""

import sqlalchemy as sa

from mercenary.db import Query
from mercenary.users.tables import users as u

PUBLIC = (u.c.id, u.c.tenant_id, u.c.name, u.c.role, u.c.created_at)
PRIVATE = (*PUBLIC, u.c.email, u.c.is_active)

insert_user = Query(
    "users.insert",
    sa.insert(u)
    .values(
        tenant_id=sa.bindparam("tenant_id"),
        email=sa.bindparam("email"),
        name=sa.bindparam("name"),
        role=sa.bindparam("role"),
        password_hash=sa.bindparam("password_hash"),
        is_active=True,
        created_at=sa.bindparam("created_at"),
    )
    .returning(*PRIVATE),
)

get_user = Query("users.get", sa.select(*PRIVATE).where(u.c.id == sa.bindparam("id")))

email_taken = Query("users.email_taken", sa.select(u.c.id).where(u.c.email == sa.bindparam("email")))

get_login = Query(
    "users.get_login",
    sa.select(u.c.id, u.c.tenant_id, u.c.role, u.c.password_hash, u.c.is_active).where(
        u.c.email == sa.bindparam("email")
    ),
)

get_active_principal = Query(
    "users.get_active_principal",
    sa.select(u.c.id, u.c.tenant_id, u.c.role).where(u.c.id == sa.bindparam("id"), u.c.is_active.is_(True)),
)

list_members = Query(
    "users.list_members",
    sa.select(*PRIVATE)
    .where(u.c.tenant_id == sa.bindparam("tenant_id"), u.c.id > sa.bindparam("after"))
    .order_by(u.c.id)
    .limit(sa.bindparam("limit")),
)

public_by_ids = Query(
    "users.public_by_ids", sa.select(*PUBLIC).where(u.c.id.in_(sa.bindparam("ids", expanding=True)))
)
