"""CV endpoints: upload a version, read a CV, share it with an organization, accept its skills."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from mercenary.cvs import service
from mercenary.cvs.errors import (
    CVNotFoundError,
    CVNotParsedError,
    ProfileRequiredError,
    ShareNotFoundError,
    SkillNotProposedError,
)
from mercenary.cvs.schemas import CVRead, CVUploadRead, SkillsAccept
from mercenary.db import run_transaction
from mercenary.errors import InvalidRequestError, PermissionDeniedError, QueueFullError
from mercenary.files import UploadPolicy, receive_upload
from mercenary.files.errors import UPLOAD_ERRORS
from mercenary.profiles.schemas import ProfileRead
from mercenary.security.principal import require_role
from mercenary.skills.errors import UnknownSkillError
from mercenary.web.deps import ObjectId, SignedIn
from mercenary.web.openapi import raises
from mercenary.web.uploads import upload_body

router = APIRouter(prefix="/api/v1", tags=["cvs"])

# A CV is a PDF or a Word document, judged by its bytes (files/content.py).
CV_KINDS = ("pdf", "docx")


@router.post(
    "/freelancers/me/cv",
    status_code=202,
    response_model=CVUploadRead,
    openapi_extra=upload_body("The CV: a PDF or a DOCX file."),
)
@raises(
    PermissionDeniedError,
    *UPLOAD_ERRORS,
    QueueFullError,
)
async def upload_cv(request: Request, caller: SignedIn) -> dict[str, Any]:
    """Upload a new version of the caller's CV (multipart, one `file` part: PDF or DOCX, at most
    `UPLOAD_MAX_BYTES`). Answers at once with the CV's id, the version's number and its status
    (`pending`); a worker then parses it (`GET /cvs/{cv_id}` shows the result). Freelancers only."""
    state, principal = caller.state, caller.principal
    require_role(principal, "freelancer")  # before a byte of the body is read
    policy = UploadPolicy(kinds=CV_KINDS, max_bytes=state.settings.UPLOAD_MAX_BYTES)
    async with receive_upload(request, state.blobs, policy) as upload:
        stored = {
            "key": upload.key,
            "filename": upload.filename,
            "media_type": upload.media_type,
            "size": upload.size,
            "sha256": upload.sha256,
        }
        return await run_transaction(
            state.db,
            lambda conn: service.add_version(conn, state.queue, principal, stored),
            what="a CV upload",
        )


@router.get("/cvs/{cv_id}", response_model=CVRead)
@raises(CVNotFoundError)
async def get_cv(caller: SignedIn, cv_id: ObjectId) -> dict[str, Any]:
    """A CV's status, its versions (newest first) and the skills parsing found, for its owner and
    for members of the organizations it is shared with; 404 for anyone else."""
    return await service.read_cv(caller.state.db, caller.principal, cv_id)


@router.put("/cvs/{cv_id}/shares/{organization_id}", status_code=204, response_class=Response)
@raises(CVNotFoundError, ShareNotFoundError)
async def share_cv(caller: SignedIn, cv_id: ObjectId, organization_id: ObjectId) -> Response:
    """Share the caller's CV with a client organization: its members may then read it (`GET
    /cvs/{cv_id}`). Granting twice is one grant."""
    state = caller.state
    await run_transaction(
        state.db,
        lambda conn: service.share(conn, caller.principal, cv_id, organization_id),
        what="a CV share",
    )
    return Response(status_code=204)


@router.delete("/cvs/{cv_id}/shares/{organization_id}", status_code=204, response_class=Response)
@raises(CVNotFoundError, ShareNotFoundError)
async def revoke_cv_share(caller: SignedIn, cv_id: ObjectId, organization_id: ObjectId) -> Response:
    """Stop sharing the caller's CV with an organization; its members get 404 from then on."""
    state = caller.state
    await run_transaction(
        state.db,
        lambda conn: service.revoke(conn, caller.principal, cv_id, organization_id),
        what="a CV share's revocation",
    )
    return Response(status_code=204)


@router.post("/cvs/{cv_id}/skills/accept", response_model=ProfileRead)
@raises(
    CVNotFoundError,
    CVNotParsedError,
    ProfileRequiredError,
    SkillNotProposedError,
    UnknownSkillError,
    InvalidRequestError,
)
async def accept_cv_skills(caller: SignedIn, cv_id: ObjectId, body: SkillsAccept) -> dict[str, Any]:
    """Add the skills the CV's newest parsed version proposes to the caller's profile: all of them,
    or the `skills` named (each must be proposed). Answers the profile with its skills."""
    state = caller.state
    return await run_transaction(
        state.db,
        lambda conn: service.accept_skills(conn, caller.principal, cv_id, body.skills),
        what="a CV's skills acceptance",
    )
