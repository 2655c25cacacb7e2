"""Project use cases: post, read, change, delete. The caller owns the transaction.

Lifecycle: ``draft -> open -> closed`` (closing happens when a proposal is accepted) and ``draft | open
-> cancelled``. Cancelling an open project rejects its pending proposals in the same transaction.
Closed and cancelled projects are frozen. DELETE removes drafts only: a project that was ever open
has proposals and possibly reviews pointing at it, so it is cancelled instead (409 tells the client so).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mercenary.db import Executor, Row
from mercenary.db.metadata import utcnow
from mercenary.errors import InvalidRequestError
from mercenary.projects import queries
from mercenary.projects.access import EDITABLE_STATUSES, access_own_project, access_project
from mercenary.projects.errors import (
    InvalidTransitionError,
    ProjectNotDeletableError,
    ProjectNotEditableError,
)
from mercenary.projects.relations import attach, skill_slugs
from mercenary.projects.schemas import ProjectCreate, ProjectUpdate
from mercenary.proposals import service as proposals
from mercenary.security.principal import Principal, require_role
from mercenary.skills import service as skills

TRANSITIONS = frozenset({("draft", "open"), ("draft", "cancelled"), ("open", "cancelled")})


def skill_ids(names: Iterable[str], resolved: dict[str, int]) -> list[int]:
    """The ids of ``names`` (slugs or aliases) from a ``resolve_skills`` map, without duplicates."""
    return sorted({resolved[n.strip().lower()] for n in names})


async def _link_skills(conn: Executor, project_id: int, ids: Iterable[int]) -> None:
    await conn.execute_many(queries.insert_skill, [{"project_id": project_id, "skill_id": i} for i in ids])


async def _set_skills(conn: Executor, project_id: int, ids: list[int]) -> None:
    await conn.execute(queries.delete_skills, project_id=project_id)
    await _link_skills(conn, project_id, ids)


async def post_project(conn: Executor, principal: Principal, body: ProjectCreate) -> Row:
    """Create a project for the caller's organization (clients only); returns it with its skills."""
    require_role(principal, "client")
    canonical = await skills.canonical_skills(conn, body.skills)
    row = await conn.fetch_one(
        queries.insert_project,
        tenant_id=principal.tenant_id,
        owner_id=principal.user_id,
        title=body.title,
        description=body.description,
        budget=body.budget,
        status=body.status,
        now=utcnow(),
    )
    assert row is not None
    # A new project has no links yet, and the canonical slugs are known: three statements in all.
    await _link_skills(conn, row["id"], sorted(canonical))
    return {**row, "skills": sorted(canonical.values())}


async def get_project(db: Executor, principal: Principal, project_id: int, includes: frozenset[str]) -> Row:
    """A project the caller may see, with its skills and any other requested relations."""
    row = await access_project(db, project_id, principal)
    return (await attach(db, [row], includes | {"skills"}))[0]


def check_update(row: Row, changes: dict[str, Any]) -> None:
    """Raise if ``changes`` may not be applied to the project ``row`` in its current status."""
    if not changes:
        raise InvalidRequestError("Nothing to change: give at least one field.")
    current = row["status"]
    if current not in EDITABLE_STATUSES:
        raise ProjectNotEditableError(f"A {current} project cannot be changed.")
    target = changes.get("status", current)
    if target != current and (current, target) not in TRANSITIONS:
        raise InvalidTransitionError(f"A {current} project cannot become {target}.")


async def apply_update(conn: Executor, row: Row, changes: dict[str, Any], ids: list[int] | None) -> Row:
    """Write checked ``changes``. The UPDATE is conditional on the status that was checked, so a
    concurrent change (an accept, another edit of the status) makes this one fail with 409."""
    merged = {k: changes.get(k, row[k]) for k in ("title", "description", "budget", "status")}
    updated = await conn.fetch_one(
        queries.update_project,
        id=row["id"],
        tenant_id=row["tenant_id"],
        expected=row["status"],
        now=utcnow(),
        **merged,
    )
    if updated is None:
        raise ProjectNotEditableError("The project changed meanwhile; reload it and try again.")
    if ids is not None:
        await _set_skills(conn, row["id"], ids)
    if row["status"] == "open" and merged["status"] == "cancelled":
        await proposals.reject_pending(conn, row["id"])
    return updated


async def update_project(conn: Executor, principal: Principal, project_id: int, body: ProjectUpdate) -> Row:
    """Change one of the caller's organization's projects; returns it with its skills."""
    row = await access_own_project(conn, project_id, principal)
    changes = body.changes()
    check_update(row, changes)
    if "skills" not in changes:
        updated = await apply_update(conn, row, changes, None)
        return {**updated, "skills": (await skill_slugs(conn, [project_id]))[project_id]}
    canonical = await skills.canonical_skills(conn, changes["skills"])
    updated = await apply_update(conn, row, changes, sorted(canonical))
    return {**updated, "skills": sorted(canonical.values())}


async def delete_project(conn: Executor, principal: Principal, project_id: int) -> None:
    """Delete a draft of the caller's organization (its skill links go with it)."""
    row = await access_own_project(conn, project_id, principal)
    if row["status"] != "draft":
        raise ProjectNotDeletableError(
            f"Only drafts are deleted; cancel a {row['status']} project instead (PATCH status=cancelled)."
        )
    if not await conn.execute(queries.delete_draft, id=project_id, tenant_id=principal.tenant_id):
        raise ProjectNotDeletableError("The project changed meanwhile; reload it and try again.")
