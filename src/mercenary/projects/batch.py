"""Batch update (API-6): several of the caller's projects change in one transaction, all or nothing.

Every item is checked before anything is written (ownership, status rules, skills, duplicate ids);
one bad item fails the batch with a list of per-item errors and changes nothing. The writes are the
same conditional UPDATEs as a single PATCH, so a concurrent change found while writing rolls the
whole batch back (409).
"""

from __future__ import annotations

from typing import Any

from mercenary.backends.cache import CacheStore
from mercenary.db import Connection, Executor, Row
from mercenary.errors import InvalidRequestError, MercenaryError
from mercenary.projects import queries
from mercenary.projects.errors import BatchConflictError, BatchInvalidError, ProjectNotFoundError
from mercenary.projects.relations import skill_slugs
from mercenary.projects.schemas import ProjectBatch, ProjectBatchItem
from mercenary.projects.service import apply_update, check_update, skill_ids
from mercenary.security.principal import Principal, require_role
from mercenary.skills import service as skills
from mercenary.skills.errors import UnknownSkillError


def _error(index: int, item: ProjectBatchItem, exc: MercenaryError) -> dict[str, Any]:
    return {"index": index, "id": item.id, "code": exc.code, "message": exc.detail}


async def _resolve(conn: Executor, names: list[str]) -> tuple[dict[str, int], set[str]]:
    """Resolve every skill name of the batch; unknown names are collected instead of raised."""
    resolved: dict[str, int] = {}
    unknown: set[str] = set()
    for start in range(0, len(names), skills.MAX_SKILLS):
        chunk = names[start : start + skills.MAX_SKILLS]
        try:
            resolved.update(await skills.resolve_skills(conn, chunk))
        except UnknownSkillError as exc:
            unknown.update(exc.extra["unknown"])
            known = [n for n in chunk if n not in unknown]
            resolved.update(await skills.resolve_skills(conn, known))
    return resolved, unknown


def _check(item: ProjectBatchItem, row: Row | None, seen: set[int], unknown: set[str]) -> None:
    if item.id in seen:
        raise InvalidRequestError("The same project appears twice in the batch.")
    seen.add(item.id)
    if row is None:
        raise ProjectNotFoundError("No such project.")
    changes = item.changes()
    check_update(row, changes)
    bad = sorted({n.strip().lower() for n in changes.get("skills", [])} & unknown)
    if bad:
        raise UnknownSkillError(f"Unknown skill(s): {', '.join(bad)}.")


async def update_projects(
    conn: Connection, cache: CacheStore, principal: Principal, batch: ProjectBatch
) -> list[Row]:
    """Apply every item of ``batch`` or none; returns the projects (with skills) in the order given."""
    require_role(principal, "client")
    wanted = sorted({item.id for item in batch.items})
    found = await conn.fetch_all(queries.own_projects, ids=wanted, tenant_id=principal.tenant_id)
    rows = {int(r["id"]): r for r in found}
    names = sorted({n.strip().lower() for item in batch.items for n in (item.skills or [])})
    resolved, unknown = await _resolve(conn, names)
    errors: list[dict[str, Any]] = []
    seen: set[int] = set()
    for index, item in enumerate(batch.items):
        try:
            _check(item, rows.get(item.id), seen, unknown)
        except MercenaryError as exc:
            errors.append(_error(index, item, exc))
    if errors:
        raise BatchInvalidError(f"{len(errors)} item(s) are invalid; nothing was changed.", errors=errors)
    updated: list[Row] = []
    for index, item in enumerate(batch.items):
        changes = item.changes()
        ids = skill_ids(changes["skills"], resolved) if "skills" in changes else None
        try:
            updated.append(await apply_update(conn, cache, rows[item.id], changes, ids))
        except MercenaryError as exc:
            raise BatchConflictError(
                "A project changed while the batch was written; nothing was changed.",
                errors=[_error(index, item, exc)],
            ) from exc
    slugs = await skill_slugs(conn, wanted)
    return [{**r, "skills": slugs[r["id"]]} for r in updated]
