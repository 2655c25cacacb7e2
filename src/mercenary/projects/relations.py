"""Relations loaded for a whole page at once (API-3, DB-3): each named relation costs a fixed number of
statements whatever the page size, never one per project."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from mercenary.db import Executor, Row
from mercenary.projects import queries
from mercenary.projects.errors import UnknownIncludeError
from mercenary.projects.schemas import INCLUDES
from mercenary.proposals import service as proposals
from mercenary.users import service as users


def parse_includes(raw: str | None) -> frozenset[str]:
    """The relations asked for; unknown names are a 422 listing the known ones."""
    if raw is None or not raw.strip():
        return frozenset()
    wanted = frozenset(n.strip() for n in raw.split(",") if n.strip())
    unknown = sorted(wanted - set(INCLUDES))
    if unknown:
        raise UnknownIncludeError(
            f"Unknown include(s): {', '.join(unknown)}.", unknown=unknown, allowed=list(INCLUDES)
        )
    return wanted


async def skill_slugs(conn: Executor, project_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each project's skill slugs, sorted, in one statement whatever the number of projects."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    out: dict[int, list[str]] = defaultdict(list)
    for link in await conn.fetch_all(queries.skills_of, ids=ids):
        out[int(link["project_id"])].append(link["slug"])
    return {pid: sorted(out.get(pid, [])) for pid in ids}


async def attach(conn: Executor, rows: list[Row], includes: frozenset[str]) -> list[Row]:
    """``rows`` with the requested relations added under their names."""
    if not rows or not includes:
        return rows
    ids = [int(r["id"]) for r in rows]
    out = [dict(r) for r in rows]
    if "skills" in includes:
        by_project = await skill_slugs(conn, ids)
        for r in out:
            r["skills"] = by_project.get(r["id"], [])
    if "owner" in includes:
        owners = await users.public_users(conn, (r["owner_id"] for r in rows))
        for r in out:
            r["owner"] = owners.get(r["owner_id"])
    if "proposal_count" in includes:
        counts = await proposals.live_counts(conn, ids)
        for r in out:
            r["proposal_count"] = counts.get(r["id"], 0)
    return out
