"""Proposal use cases and the ``access_proposal`` guard. The caller owns the transaction.

A proposal is visible to its author and to the project's organization only; anyone else gets the same
404 as for a missing id. Racing decisions are settled by the database: accepting first closes the
project with a conditional UPDATE (so of two accepts on one project only one can pass), then moves the
proposal from ``submitted`` (so an accept racing a withdrawal fails cleanly), then rejects the other
pending proposals; all in the caller's transaction. The project row is always taken before proposal
rows (accept, cancel, submit's share lock), so these transactions cannot deadlock.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable

from mercenary.backends.cache import CacheStore
from mercenary.backends.queue import JobQueue, JobSpec
from mercenary.db import Connection, Executor, IntegrityError, Row
from mercenary.db.keyset import Keyset, Slice
from mercenary.db.metadata import utcnow
from mercenary.projects.access import access_project, close_for_hire
from mercenary.projects.cache import changed_after_commit
from mercenary.projects.errors import ProjectNotOpenError
from mercenary.proposals import queries
from mercenary.proposals.errors import ProposalExistsError, ProposalNotFoundError, ProposalNotSubmittedError
from mercenary.proposals.schemas import ProposalCreate
from mercenary.security.principal import Principal, require_role

# Notification mail. Retries start at 10 s and double up to 30 min: with 12 of them a message waits
# out a mail server outage of about three hours or more (the jitter lengthens it) before it goes to
# the dead-letter store, from which `mercenary jobs requeue` sends it again.
NOTIFY_RECEIVED = JobSpec(
    "proposals.notify_received", lease_s=60, max_retries=12, min_backoff_s=10, max_backoff_s=1_800
)
NOTIFY_ACCEPTED = dataclasses.replace(NOTIFY_RECEIVED, name="proposals.notify_accepted")


async def access_proposal(conn: Executor, proposal_id: int, principal: Principal) -> Row:
    """A proposal the caller wrote or that was made to the caller's organization; 404 otherwise."""
    row = await conn.fetch_one(queries.get_proposal, id=proposal_id)
    if row is None or (row["freelancer_id"] != principal.user_id and row["tenant_id"] != principal.tenant_id):
        raise ProposalNotFoundError("No such proposal.")
    return row


async def _access_as_client(conn: Executor, proposal_id: int, principal: Principal) -> Row:
    require_role(principal, "client")
    row = await access_proposal(conn, proposal_id, principal)
    if row["tenant_id"] != principal.tenant_id:
        raise ProposalNotFoundError("No such proposal.")
    if row["status"] != "submitted":
        raise ProposalNotSubmittedError(f"The proposal is already {row['status']}.")
    return row


async def _decide(conn: Executor, row: Row, status: str) -> Row:
    decided = await conn.fetch_one(queries.decide, id=row["id"], status=status, now=utcnow())
    if decided is None:
        raise ProposalNotSubmittedError("The proposal was decided meanwhile.")
    return decided


async def submit_proposal(
    conn: Connection, queue: JobQueue, principal: Principal, project_id: int, body: ProposalCreate
) -> Row:
    """Bid on an open project (freelancers only): at most one live proposal per project. The
    project's owner is mailed once this commits."""
    require_role(principal, "freelancer")
    project = await access_project(conn, project_id, principal, lock="share")
    if project["status"] != "open":
        raise ProjectNotOpenError("The project does not take proposals.")
    try:
        row = await conn.fetch_one(
            queries.insert_proposal,
            project_id=project_id,
            tenant_id=project["tenant_id"],
            freelancer_id=principal.user_id,
            cover_letter=body.cover_letter,
            price=body.price,
            now=utcnow(),
        )
    except IntegrityError as exc:  # uq_proposals_live: the only unique rule a valid insert can break
        raise ProposalExistsError("You already have a live proposal on this project.") from exc
    assert row is not None
    await queue.enqueue(conn, NOTIFY_RECEIVED, proposal_id=int(row["id"]))
    return row


async def accept_proposal(
    conn: Connection, cache: CacheStore, queue: JobQueue, principal: Principal, proposal_id: int
) -> Row:
    """Accept a proposal made to the caller's organization: the project closes and every other
    pending proposal on it is rejected, all or nothing; its freelancer is mailed once this commits."""
    row = await _access_as_client(conn, proposal_id, principal)
    await close_for_hire(conn, row["project_id"], tenant_id=principal.tenant_id)
    changed_after_commit(conn, cache, row["project_id"], principal.tenant_id, public=True)
    accepted = await _decide(conn, row, "accepted")
    await conn.execute(queries.reject_pending, project_id=row["project_id"], now=utcnow())
    await queue.enqueue(conn, NOTIFY_ACCEPTED, proposal_id=proposal_id)
    return accepted


async def reject_proposal(conn: Executor, principal: Principal, proposal_id: int) -> Row:
    """Reject a pending proposal made to the caller's organization."""
    return await _decide(conn, await _access_as_client(conn, proposal_id, principal), "rejected")


async def withdraw_proposal(conn: Executor, principal: Principal, proposal_id: int) -> Row:
    """Withdraw the caller's own pending proposal (they may bid again afterwards)."""
    row = await access_proposal(conn, proposal_id, principal)
    if row["freelancer_id"] != principal.user_id:
        raise ProposalNotFoundError("No such proposal.")
    if row["status"] != "submitted":
        raise ProposalNotSubmittedError(f"The proposal is already {row['status']}.")
    return await _decide(conn, row, "withdrawn")


async def list_mine(db: Executor, principal: Principal, *, status: str | None, page: Keyset) -> Slice:
    """A page of proposals, newest first: a freelancer's own, or those made to a client's organization."""
    keyset = {"status": status, "after": page.id_below(), "limit": page.fetch}
    if principal.role == "freelancer":
        query = queries.by_freelancer[status is not None]
        rows = await db.fetch_all(query, freelancer_id=principal.user_id, **keyset)
    else:
        query = queries.by_tenant[status is not None]
        rows = await db.fetch_all(query, tenant_id=principal.tenant_id, **keyset)
    return page.cut(rows, ("id",))


async def list_for_project(
    db: Executor, principal: Principal, project_id: int, *, status: str | None, page: Keyset
) -> Slice:
    """A page of proposals on a project the caller may see, newest first: all of them for the
    project's organization, the caller's own for anyone else."""
    project = await access_project(db, project_id, principal)
    owner = project["tenant_id"] == principal.tenant_id
    query = (queries.by_project if owner else queries.by_project_freelancer)[status is not None]
    rows = await db.fetch_all(
        query,
        project_id=project_id,
        freelancer_id=principal.user_id,
        status=status,
        after=page.id_below(),
        limit=page.fetch,
    )
    return page.cut(rows, ("id",))


async def reject_pending(conn: Executor, project_id: int) -> None:
    """Reject every submitted proposal on a project (it was cancelled)."""
    await conn.execute(queries.reject_pending, project_id=project_id, now=utcnow())


async def live_counts(conn: Executor, project_ids: Iterable[int]) -> dict[int, int]:
    """The number of live (submitted or accepted) proposals on each project, in one statement."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    rows = await conn.fetch_all(queries.live_counts, ids=ids)
    return {int(r["project_id"]): int(r["n"]) for r in rows}


async def accepted_freelancer(conn: Executor, project_id: int) -> int | None:
    """The author of the project's accepted proposal, if any."""
    value = await conn.fetch_val(queries.accepted_for, project_id=project_id)
    return None if value is None else int(value)


async def proposed_to_tenant(db: Executor, freelancer_id: int, tenant_id: int) -> bool:
    """Whether ``freelancer_id`` has proposed on any project of organization ``tenant_id``."""
    return (
        await db.fetch_val(queries.proposed_to_tenant, freelancer_id=freelancer_id, tenant_id=tenant_id)
        is not None
    )


async def stored_proposal(db: Executor, proposal_id: int) -> Row | None:
    """The proposal as stored, with no caller to check (jobs, which act for the system)."""
    return await db.fetch_one(queries.get_proposal, id=proposal_id)


async def notice_sent(db: Executor, proposal_id: int, kind: str) -> bool:
    """Whether the ``kind`` notification of the proposal was already sent."""
    return await db.fetch_val(queries.notice_sent, proposal_id=proposal_id, kind=kind) is not None


async def record_notice(db: Executor, proposal_id: int, kind: str) -> None:
    """Remember that the ``kind`` notification of the proposal went out (twice is fine)."""
    with contextlib.suppress(IntegrityError):  # another run of the same job recorded it first
        await db.execute(queries.record_notice, proposal_id=proposal_id, kind=kind, now=utcnow())


async def has_live_proposal(conn: Executor, project_id: int, freelancer_id: int) -> bool:
    """Whether ``freelancer_id`` has a submitted or accepted proposal on ``project_id``."""
    return (
        await conn.fetch_val(queries.has_live, project_id=project_id, freelancer_id=freelancer_id) is not None
    )
