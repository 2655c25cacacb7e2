"""Project document endpoints: upload, list, download, delete (DOM-5)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import Response, StreamingResponse

from mercenary.backends.blobs import BlobNotFoundError, BlobUnavailableError
from mercenary.db import Connection, run_transaction
from mercenary.documents import service
from mercenary.documents.errors import DocumentNotFoundError, TooManyDocumentsError
from mercenary.documents.schemas import DocumentPage, DocumentRead
from mercenary.errors import OverloadedError, PermissionDeniedError
from mercenary.files import UploadPolicy, discard, receive_upload
from mercenary.files.errors import UPLOAD_ERRORS, StorageUnavailableError
from mercenary.projects.errors import ProjectNotFoundError
from mercenary.web.deps import Limit, ObjectId, SignedIn
from mercenary.web.idempotency import Idempotent, caller_scope, serialized
from mercenary.web.openapi import raises
from mercenary.web.pagination import Pager
from mercenary.web.uploads import upload_body

router = APIRouter(prefix="/api/v1/projects", tags=["documents"])

CursorParam = Annotated[str | None, Query(max_length=512)]
KINDS = ("pdf", "docx", "png", "jpeg")
DOWNLOAD_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/png",
    "image/jpeg",
)


def policy(caller_max: int) -> UploadPolicy:
    """What a project document may be: a PDF, a DOCX or an image, up to ``UPLOAD_MAX_BYTES``."""
    return UploadPolicy(kinds=KINDS, max_bytes=caller_max)


@router.post(
    "/{project_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    openapi_extra=upload_body("A PDF, DOCX, PNG or JPEG of at most `UPLOAD_MAX_BYTES` (10 MiB by default)."),
)
@raises(
    PermissionDeniedError,
    ProjectNotFoundError,
    TooManyDocumentsError,
    *UPLOAD_ERRORS,
    OverloadedError,
)
async def upload_document(
    request: Request, caller: SignedIn, project_id: ObjectId, idem: Idempotent
) -> Response:
    """Attach a file to a project of the caller's organization (clients only), as
    `multipart/form-data` with the file in the part `file`. Its type is judged by its bytes, never
    by its name or declared type; an upload refused for any reason stores nothing. Safe to retry
    with an `Idempotency-Key` (the same file under the same name)."""
    state, principal = caller.state, caller.principal
    state.overload.check()  # uploads are heavy: shed first while the instance is overloaded
    await service.check_room(state.db, project_id, principal)  # before a byte of the file is read
    async with receive_upload(request, state.blobs, policy(state.settings.UPLOAD_MAX_BYTES)) as upload:

        async def create(conn: Connection) -> bytes:
            return serialized(DocumentRead, await service.add_document(conn, principal, project_id, upload))

        fingerprint = f"{upload.sha256}\n{upload.filename}".encode()
        response = await idem.run(state, caller_scope(principal), 201, create, body=fingerprint)
        if "idempotent-replayed" in response.headers:  # the first upload's document stands
            await discard(state.blobs, upload.key)
        return response


@router.get(
    "/{project_id}/documents", response_model=DocumentPage, response_description="A page of documents."
)
@raises(ProjectNotFoundError)
async def list_documents(
    caller: SignedIn, project_id: ObjectId, limit: Limit = 20, cursor: CursorParam = None
) -> Response:
    """A project's documents, newest first: for its organization and for freelancers with a live
    proposal on it."""
    state = caller.state
    pager = Pager(state.cursors, f"documents.project:{project_id}")
    page = await service.list_documents(
        state.db, caller.principal, project_id, page=pager.keyset(cursor, limit)
    )
    items = [DocumentRead.model_validate(row).model_dump(mode="json") for row in page.items]
    return pager.response(page, items)


@router.get(
    "/{project_id}/documents/{document_id}",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file, as an attachment.",
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in DOWNLOAD_TYPES},
        }
    },
)
@raises(ProjectNotFoundError, DocumentNotFoundError, StorageUnavailableError)
async def download_document(caller: SignedIn, project_id: ObjectId, document_id: ObjectId) -> Response:
    """Download a document (streamed, with `Content-Disposition: attachment` and the type its bytes
    showed on upload)."""
    state = caller.state
    row = await service.get_document(state.db, caller.principal, project_id, document_id)
    try:
        chunks = await state.blobs.open(row["blob_key"])
    except BlobNotFoundError:
        raise DocumentNotFoundError("The document's file is missing.") from None
    except BlobUnavailableError:
        raise StorageUnavailableError("File storage is unavailable; retry shortly.") from None
    headers = {
        "Content-Length": str(row["size"]),
        "Content-Disposition": content_disposition(row["filename"]),
        "ETag": f'"{row["sha256"]}"',
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(chunks, media_type=row["media_type"], headers=headers)


@router.delete("/{project_id}/documents/{document_id}", status_code=204, response_class=Response)
@raises(PermissionDeniedError, ProjectNotFoundError, DocumentNotFoundError)
async def delete_document(caller: SignedIn, project_id: ObjectId, document_id: ObjectId) -> Response:
    """Delete a document of a project of the caller's organization (clients only), and its file."""
    state = caller.state
    key = await run_transaction(
        state.db,
        lambda conn: service.delete_document(conn, caller.principal, project_id, document_id),
        what="a document deletion",
    )
    await discard(state.blobs, key)  # after commit: a failure leaves an orphan file, never a lost one
    return Response(status_code=204)


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 one (RFC 6266, RFC 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
