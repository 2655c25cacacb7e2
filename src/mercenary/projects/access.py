"""The ``access_project*`` guards: every read or write of a project goes through one of them.

Visibility: ``open`` and ``closed`` projects are public to every signed-in user (an open project is
the market; a closed one is the record that reviews point at). Drafts and cancelled projects are
private to the owning organization. Anything the caller may not see is the same 404 as an id that does
not exist (SEC-1), so ids cannot be probed across organizations.
"""

from __future__ import annotations

from typing import Literal

from mercenary.db import Executor, Row
from mercenary.db.metadata import utcnow
from mercenary.projects import queries
from mercenary.projects.errors import ProjectNotFoundError, ProjectNotOpenError
from mercenary.security.principal import Principal, require_role

Lock = Literal["share", "update"] | None
LOCKS = {None: queries.get_project, "share": queries.get_project_shared, "update": queries.get_project_locked}
PUBLIC_STATUSES = frozenset({"open", "closed"})
EDITABLE_STATUSES = frozenset({"draft", "open"})


def visible(row: Row, principal: Principal) -> bool:
    """Whether ``principal`` may see the project ``row``."""
    return row["tenant_id"] == principal.tenant_id or row["status"] in PUBLIC_STATUSES


async def access_project(conn: Executor, project_id: int, principal: Principal, *, lock: Lock = None) -> Row:
    """A project the caller may see; 404 otherwise. ``lock`` holds its row until the caller's
    transaction ends (PostgreSQL ``FOR SHARE`` / ``FOR UPDATE``; SQLite has a single writer anyway):
    ``share`` keeps its status from changing underneath, ``update`` also serializes the lockers."""
    query = LOCKS[lock]
    row = await conn.fetch_one(query, id=project_id)
    if row is None or not visible(row, principal):
        raise ProjectNotFoundError("No such project.")
    return row


async def access_own_project(conn: Executor, project_id: int, principal: Principal) -> Row:
    """A project of the caller's organization, for a client to change; 403 for other roles, 404 for
    anyone else's project (even a public one: "not yours" and "missing" read the same)."""
    require_role(principal, "client")
    row = await conn.fetch_one(queries.get_project, id=project_id)
    if row is None or row["tenant_id"] != principal.tenant_id:
        raise ProjectNotFoundError("No such project.")
    return row


async def close_for_hire(conn: Executor, project_id: int, *, tenant_id: int) -> None:
    """Close an open project of ``tenant_id`` because a proposal was accepted. Raises 409 if it is not
    open any more (another accept or a cancellation won the race)."""
    closed = await conn.fetch_one(queries.close_project, id=project_id, tenant_id=tenant_id, now=utcnow())
    if closed is None:
        raise ProjectNotOpenError("The project is no longer open.")


async def stored_project(conn: Executor, project_id: int) -> Row | None:
    """The project as stored, with no caller to check (jobs, which act for the system)."""
    return await conn.fetch_one(queries.get_project, id=project_id)
