"""CV use cases and the ``access_*`` guards. The caller owns the transaction.

Access rule (SEC-1): a CV is seen by its owner and by the members of the organizations it is
shared with; anyone else gets the 404 of a CV that does not exist. Only the owner uploads, shares,
revokes and accepts skills; for anyone else those are the same 404 (a client's role cannot own a
CV: uploading is a 403).

Each upload is a new version, parsed later by the ``cvs.parse`` job (``jobs.py``, in the worker):
the version stays ``pending`` until the job stores its text and proposed skills (``parsed``) or
the reason it could not (``failed``). The job may run twice; only a pending version takes a result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mercenary.backends.queue import JobQueue, JobSpec
from mercenary.cvs import queries
from mercenary.cvs.errors import (
    CVNotFoundError,
    CVNotParsedError,
    ProfileRequiredError,
    ShareNotFoundError,
    SkillNotProposedError,
)
from mercenary.db import Connection, Executor, Row
from mercenary.db.metadata import utcnow
from mercenary.errors import NotFoundError
from mercenary.profiles import service as profiles
from mercenary.security.principal import Principal, require_role
from mercenary.skills import service as skills
from mercenary.tenants import service as tenants

# A parse is bounded by CV_PARSE_TIMEOUT_S (10 s by default; measured p95 under 0.1 s for 5 pages):
# the lease stays above twice the longest run allowed.
PARSE = JobSpec("cvs.parse", priority="default", lease_s=60, max_retries=3)
NOT_FOUND = "No such CV."


async def access_cv(db: Executor, cv_id: int, principal: Principal) -> Row:
    """A CV the caller may read: theirs, or one shared with their organization; 404 otherwise."""
    row = await db.fetch_one(queries.get_cv, id=cv_id)
    if row is None:
        raise CVNotFoundError(NOT_FOUND)
    if row["owner_id"] != principal.user_id and not await db.fetch_one(
        queries.is_shared, cv_id=cv_id, tenant_id=principal.tenant_id
    ):
        raise CVNotFoundError(NOT_FOUND)
    return row


async def access_own_cv(db: Executor, cv_id: int, principal: Principal) -> Row:
    """The caller's own CV, to change; 404 for any other (as for one that does not exist)."""
    row = await db.fetch_one(queries.get_cv, id=cv_id)
    if row is None or row["owner_id"] != principal.user_id:
        raise CVNotFoundError(NOT_FOUND)
    return row


async def add_version(
    conn: Connection, queue: JobQueue, principal: Principal, stored: Mapping[str, Any]
) -> dict[str, Any]:
    """Record an uploaded file (already in blob storage: ``key``, ``filename``, ``media_type``,
    ``size``, ``sha256``) as the next version of the caller's CV, created on the first upload, and
    ask for it to be parsed. 403 for a caller who is not a freelancer."""
    require_role(principal, "freelancer")
    now = utcnow()
    await conn.execute(queries.insert_cv, owner_id=principal.user_id, tenant_id=principal.tenant_id, now=now)
    cv = await conn.fetch_one(queries.cv_of_owner_locked, owner_id=principal.user_id)
    assert cv is not None
    number = int(await conn.fetch_val(queries.last_number, cv_id=cv["id"])) + 1
    version = await conn.fetch_one(
        queries.insert_version,
        cv_id=cv["id"],
        number=number,
        blob_key=stored["key"],
        filename=stored["filename"],
        media_type=stored["media_type"],
        size=stored["size"],
        sha256=stored["sha256"],
        now=now,
    )
    assert version is not None
    await conn.execute(queries.touch_cv, id=cv["id"], now=now)
    await queue.enqueue(conn, PARSE, version_id=int(version["id"]))
    return {"id": cv["id"], "version": number, "status": version["status"]}


async def read_cv(db: Executor, principal: Principal, cv_id: int) -> dict[str, Any]:
    """A CV with its newest versions and proposed skills, for its owner or an organization it is
    shared with (404 for anyone else). Four statements."""
    cv = await access_cv(db, cv_id, principal)
    versions = await db.fetch_all(queries.versions_of, cv_id=cv_id)
    count = int(await db.fetch_val(queries.count_versions, cv_id=cv_id))
    found = await _skills_of(db, [int(v["id"]) for v in versions])
    owner = cv["owner_id"] == principal.user_id
    shown = []
    for version in versions:
        failure = None
        if version["failure_code"] is not None:
            failure = {"code": version["failure_code"], "message": version["failure_message"]}
        shown.append({**version, "failure": failure, "skills": sorted(found.get(int(version["id"]), {}))})
    parsed = next((v for v in shown if v["status"] == "parsed"), None)
    return {
        **cv,
        "status": shown[0]["status"],
        "skills": parsed["skills"] if parsed else [],
        "versions": shown,
        "version_count": count,
        "shared_with": [int(r["tenant_id"]) for r in await db.fetch_all(queries.shares_of, cv_id=cv_id)]
        if owner
        else None,
    }


async def _skills_of(db: Executor, version_ids: list[int]) -> dict[int, dict[str, int]]:
    """The proposed skills of each version (at least one): version id -> {slug: skill id}."""
    out: dict[int, dict[str, int]] = {}
    for row in await db.fetch_all(queries.skills_of_versions, version_ids=version_ids):
        out.setdefault(int(row["version_id"]), {})[row["slug"]] = int(row["id"])
    return out


async def share(conn: Executor, principal: Principal, cv_id: int, organization_id: int) -> None:
    """Let the members of a client organization read the caller's CV (granting twice is one grant).
    404 for a CV not the caller's, or an organization that is not a client's company."""
    await access_own_cv(conn, cv_id, principal)
    if not await tenants.is_company(conn, organization_id):
        raise ShareNotFoundError("No such organization.")
    await conn.execute(queries.insert_share, cv_id=cv_id, tenant_id=organization_id, now=utcnow())


async def revoke(conn: Executor, principal: Principal, cv_id: int, organization_id: int) -> None:
    """Stop sharing the caller's CV with an organization; 404 when it was not shared with it."""
    await access_own_cv(conn, cv_id, principal)
    if not await conn.execute(queries.delete_share, cv_id=cv_id, tenant_id=organization_id):
        raise ShareNotFoundError("The CV is not shared with this organization.")


async def accept_skills(
    conn: Connection, principal: Principal, cv_id: int, wanted: Iterable[str] | None
) -> Row:
    """Add the skills the newest parsed version proposes (all, or the ``wanted`` slugs or aliases
    among them) to the caller's profile; the profile as it is then."""
    await access_own_cv(conn, cv_id, principal)
    latest = await conn.fetch_one(queries.latest_parsed, cv_id=cv_id)
    if latest is None:
        raise CVNotParsedError("No version of this CV has been parsed yet.")
    proposed = (await _skills_of(conn, [int(latest["id"])])).get(int(latest["id"]), {})
    if wanted is None:
        chosen = set(proposed.values())
    else:
        named = await skills.canonical_skills(conn, wanted)
        extra = sorted(slug for skill_id, slug in named.items() if skill_id not in proposed.values())
        if extra:
            raise SkillNotProposedError(f"Not proposed by the CV: {', '.join(extra)}.", skills=extra)
        chosen = set(named)
    try:
        return await profiles.add_skills(conn, principal, sorted(chosen))
    except NotFoundError as exc:  # no profile yet: there is nothing to add the skills to
        raise ProfileRequiredError("Create your profile first, then accept the CV's skills.") from exc


async def version_to_parse(db: Executor, version_id: int) -> Row | None:
    """What the parse job needs of a version (status, file key, media type), or None if it is gone."""
    return await db.fetch_one(queries.version_to_parse, id=version_id)


async def store_parsed(
    conn: Connection, version_id: int, *, text: str, pages: int, skill_ids: set[int]
) -> bool:
    """Record a successful parse and its proposed skills; False (nothing written) when the version
    is no longer pending (another run of the job finished first)."""
    done = await conn.execute(
        queries.finish_version,
        id=version_id,
        status="parsed",
        pages=pages,
        text=text,
        failure_code=None,
        failure_message=None,
        now=utcnow(),
    )
    if not done:
        return False
    if skill_ids:
        await skills.link_skills(
            conn, queries.insert_skill, [{"version_id": version_id, "skill_id": s} for s in sorted(skill_ids)]
        )
    return True


async def store_failed(conn: Connection, version_id: int, *, code: str, message: str) -> bool:
    """Record why a version could not be parsed; False when it is no longer pending."""
    done = await conn.execute(
        queries.finish_version,
        id=version_id,
        status="failed",
        pages=None,
        text=None,
        failure_code=code,
        failure_message=message[:500],
        now=utcnow(),
    )
    return bool(done)
