"""Project use cases: post, read, change, delete. The caller owns the transaction.

Lifecycle: ``draft -> open -> closed`` (closing happens when a proposal is accepted) and ``draft | open
-> cancelled``. Cancelling an open project rejects its pending proposals in the same transaction.
Closed and cancelled projects are frozen. DELETE removes drafts only: a project that was ever open
has proposals and possibly reviews pointing at it, so it is cancelled instead (409 tells the client so).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mercenary.backends.cache import CacheStore
from mercenary.db import Connection, Executor, Row
from mercenary.db.metadata import utcnow
from mercenary.errors import InvalidRequestError
from mercenary.projects import queries
from mercenary.projects.access import EDITABLE_STATUSES, access_own_project, visible
from mercenary.projects.cache import PROJECT, SKILLS, changed_after_commit
from mercenary.projects.errors import (
    InvalidTransitionError,
    ProjectNotDeletableError,
    ProjectNotEditableError,
    ProjectNotFoundError,
)
from mercenary.projects.relations import attach, skill_slugs
from mercenary.projects.schemas import ProjectCreate, ProjectRead, ProjectUpdate
from mercenary.proposals import service as proposals
from mercenary.security.principal import Principal, require_role
from mercenary.skills import service as skills

TRANSITIONS = frozenset({("draft", "open"), ("draft", "cancelled"), ("open", "cancelled")})


def skill_ids(names: Iterable[str], resolved: dict[str, int]) -> list[int]:
    """The ids of ``names`` (slugs or aliases) from a ``resolve_skills`` map, without duplicates."""
    return sorted({resolved[n.strip().lower()] for n in names})


async def _link_skills(conn: Executor, project_id: int, ids: Iterable[int]) -> None:
    await skills.link_skills(
        conn, queries.insert_skill, [{"project_id": project_id, "skill_id": i} for i in ids]
    )


async def _set_skills(conn: Executor, project_id: int, ids: list[int]) -> None:
    await conn.execute(queries.delete_skills, project_id=project_id)
    await _link_skills(conn, project_id, ids)


async def post_project(conn: Connection, cache: CacheStore, principal: Principal, body: ProjectCreate) -> Row:
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
    # Its id may have been asked for (and its absence cached for a few seconds) before it existed.
    changed_after_commit(conn, cache, row["id"], principal.tenant_id, public=body.status == "open")
    return {**row, "skills": sorted(canonical.values())}


async def _cached_project(db: Executor, cache: CacheStore, project_id: int) -> tuple[Row, bytes] | None:
    """The project ``project_id`` with its skills, and its JSON body, from the cache when it holds
    them (two statements otherwise); None when there is no such project."""

    async def load() -> tuple[Row, bytes] | None:
        row = await db.fetch_one(queries.get_project, id=project_id)
        if row is None:
            return None
        full = (await attach(db, [row], frozenset({"skills"})))[0]
        return full, ProjectRead.model_validate(full).model_dump_json(exclude_none=True).encode()

    return await cache.get(PROJECT, str(project_id), load, depends=SKILLS)


async def project_json(db: Executor, cache: CacheStore, principal: Principal, project_id: int) -> bytes:
    """The JSON body of a project the caller may see (with its skills); 404 otherwise."""
    found = await _cached_project(db, cache, project_id)
    if found is None or not visible(found[0], principal):
        raise ProjectNotFoundError("No such project.")
    return found[1]


async def get_project(
    db: Executor, cache: CacheStore, principal: Principal, project_id: int, includes: frozenset[str]
) -> Row:
    """A project the caller may see, with its skills and any other requested relations."""
    found = await _cached_project(db, cache, project_id)
    if found is None or not visible(found[0], principal):
        raise ProjectNotFoundError("No such project.")
    return (await attach(db, [found[0]], includes - {"skills"}))[0]


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


async def apply_update(
    conn: Connection, cache: CacheStore, row: Row, changes: dict[str, Any], ids: list[int] | None
) -> Row:
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
    public = "open" in (row["status"], merged["status"])
    changed_after_commit(conn, cache, row["id"], row["tenant_id"], public=public)
    if ids is not None:
        await _set_skills(conn, row["id"], ids)
    if row["status"] == "open" and merged["status"] == "cancelled":
        await proposals.reject_pending(conn, row["id"])
    return updated


async def update_project(
    conn: Connection, cache: CacheStore, principal: Principal, project_id: int, body: ProjectUpdate
) -> Row:
    """Change one of the caller's organization's projects; returns it with its skills."""
    row = await access_own_project(conn, project_id, principal)
    changes = body.changes()
    check_update(row, changes)
    if "skills" not in changes:
        updated = await apply_update(conn, cache, row, changes, None)
        return {**updated, "skills": (await skill_slugs(conn, [project_id]))[project_id]}
    canonical = await skills.canonical_skills(conn, changes["skills"])
    updated = await apply_update(conn, cache, row, changes, sorted(canonical))
    return {**updated, "skills": sorted(canonical.values())}


async def delete_project(conn: Connection, cache: CacheStore, principal: Principal, project_id: int) -> None:
    """Delete a draft of the caller's organization (its skill links go with it)."""
    row = await access_own_project(conn, project_id, principal)
    if row["status"] != "draft":
        raise ProjectNotDeletableError(
            f"Only drafts are deleted; cancel a {row['status']} project instead (PATCH status=cancelled)."
        )
    if not await conn.execute(queries.delete_draft, id=project_id, tenant_id=principal.tenant_id):
        raise ProjectNotDeletableError("The project changed meanwhile; reload it and try again.")
    changed_after_commit(conn, cache, project_id, principal.tenant_id, public=False)
