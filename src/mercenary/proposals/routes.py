"""Proposal endpoints: bid on a project, list and read proposals, accept, reject, withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from mercenary.db import Connection, run_transaction
from mercenary.db.keyset import Slice
from mercenary.errors import PermissionDeniedError, QueueFullError
from mercenary.projects.errors import ProjectNotFoundError, ProjectNotOpenError
from mercenary.proposals import service
from mercenary.proposals.errors import ProposalExistsError, ProposalNotFoundError, ProposalNotSubmittedError
from mercenary.proposals.schemas import PROPOSAL_FIELDS, ProposalCreate, ProposalPage, ProposalRead, Status
from mercenary.web.deps import Limit, ObjectId, SignedIn
from mercenary.web.fields import parse_fields, select_fields
from mercenary.web.idempotency import Idempotent, caller_scope, serialized
from mercenary.web.openapi import raises
from mercenary.web.pagination import Pager

router = APIRouter(prefix="/api/v1", tags=["proposals"])

CursorParam = Annotated[str | None, Query(max_length=512)]
FieldsParam = Annotated[str | None, Query(max_length=512, description="e.g. id,status,price")]
PAGE = "A page of proposals (fields as selected)."


def _shaped(page: Slice, fields: frozenset[str] | None) -> list[dict[str, Any]]:
    return [select_fields(ProposalRead.model_validate(r).model_dump(mode="json"), fields) for r in page.items]


@router.post("/projects/{project_id}/proposals", status_code=201, response_model=ProposalRead)
@raises(PermissionDeniedError, ProjectNotFoundError, ProjectNotOpenError, ProposalExistsError, QueueFullError)
async def submit_proposal(
    body: ProposalCreate, caller: SignedIn, project_id: ObjectId, idem: Idempotent
) -> Response:
    """Bid on an open project (freelancers only). A second live proposal on the same project is a
    409. Safe to retry with an `Idempotency-Key`. The project's owner is mailed."""
    principal, queue = caller.principal, caller.state.queue

    async def create(conn: Connection) -> bytes:
        row = await service.submit_proposal(conn, queue, principal, project_id, body)
        return serialized(ProposalRead, row)

    return await idem.run(caller.state, caller_scope(principal), 201, create)


@router.get("/projects/{project_id}/proposals", response_model=ProposalPage, response_description=PAGE)
@raises(ProjectNotFoundError)
async def list_project_proposals(
    caller: SignedIn,
    project_id: ObjectId,
    status: Status | None = None,
    limit: Limit = 20,
    cursor: CursorParam = None,
    fields: FieldsParam = None,
) -> Response:
    """Proposals on a project, newest first: all of them for the project's organization, only the
    caller's own for anyone else who can see the project."""
    db, principal = caller.state.db, caller.principal
    cursors = caller.state.cursors
    selected = parse_fields(fields, PROPOSAL_FIELDS)
    pager = Pager(cursors, f"proposals.project:{project_id}:{status or ''}")
    page = await service.list_for_project(
        db, principal, project_id, status=status, page=pager.keyset(cursor, limit)
    )
    return pager.response(page, _shaped(page, selected))


@router.get("/proposals", response_model=ProposalPage, response_description=PAGE)
async def list_my_proposals(
    caller: SignedIn,
    status: Status | None = None,
    limit: Limit = 20,
    cursor: CursorParam = None,
    fields: FieldsParam = None,
) -> Response:
    """The caller's proposals, newest first: a freelancer's own bids, or the bids made to a client's
    organization."""
    db, principal = caller.state.db, caller.principal
    cursors = caller.state.cursors
    selected = parse_fields(fields, PROPOSAL_FIELDS)
    pager = Pager(cursors, f"proposals.mine:{status or ''}")
    page = await service.list_mine(db, principal, status=status, page=pager.keyset(cursor, limit))
    return pager.response(page, _shaped(page, selected))


@router.get("/proposals/{proposal_id}", response_model=ProposalRead)
@raises(ProposalNotFoundError)
async def get_proposal(caller: SignedIn, proposal_id: ObjectId) -> dict[str, Any]:
    """A proposal the caller wrote or that was made to the caller's organization."""
    db, principal = caller.state.db, caller.principal
    return await service.access_proposal(db, proposal_id, principal)


@router.post("/proposals/{proposal_id}/accept", response_model=ProposalRead)
@raises(
    PermissionDeniedError,
    ProposalNotFoundError,
    ProposalNotSubmittedError,
    ProjectNotOpenError,
    QueueFullError,
)
async def accept_proposal(caller: SignedIn, proposal_id: ObjectId) -> dict[str, Any]:
    """Accept a pending proposal (the project's organization, clients only): the project closes and
    the other pending proposals are rejected in the same transaction. The freelancer is mailed."""
    state, principal = caller.state, caller.principal
    return await run_transaction(
        state.db,
        lambda conn: service.accept_proposal(conn, state.cache, state.queue, principal, proposal_id),
        what="an acceptance",
    )


@router.post("/proposals/{proposal_id}/reject", response_model=ProposalRead)
@raises(PermissionDeniedError, ProposalNotFoundError, ProposalNotSubmittedError)
async def reject_proposal(caller: SignedIn, proposal_id: ObjectId) -> dict[str, Any]:
    """Reject a pending proposal (the project's organization, clients only)."""
    db, principal = caller.state.db, caller.principal
    return await run_transaction(
        db, lambda conn: service.reject_proposal(conn, principal, proposal_id), what="a rejection"
    )


@router.post("/proposals/{proposal_id}/withdraw", response_model=ProposalRead)
@raises(ProposalNotFoundError, ProposalNotSubmittedError)
async def withdraw_proposal(caller: SignedIn, proposal_id: ObjectId) -> dict[str, Any]:
    """Withdraw the caller's own pending proposal; a new one may be submitted afterwards."""
    db, principal = caller.state.db, caller.principal
    return await run_transaction(
        db, lambda conn: service.withdraw_proposal(conn, principal, proposal_id), what="a withdrawal"
    )
