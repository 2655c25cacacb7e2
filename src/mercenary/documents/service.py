"""Project document use cases and the ``access_documents`` guard. The caller owns the transaction.

A project's documents are visible to its organization and to freelancers with a live (submitted or
accepted) proposal on it; to anyone else the project has no documents to show, and every document
route answers the same 404 as for a missing project (SEC-1). Only the organization's clients add or
delete documents. The bytes live in the blob store; a row is written only once its blob is stored
(files/pipeline.py), and a blob is deleted only after the transaction that deleted its row commits
(a failure then leaves an orphan blob, never a row without its file).
"""

from __future__ import annotations

from mercenary.db import Executor, Row
from mercenary.db.keyset import Keyset, Slice
from mercenary.db.metadata import utcnow
from mercenary.documents import queries
from mercenary.documents.errors import DocumentNotFoundError, TooManyDocumentsError
from mercenary.files import StoredUpload
from mercenary.projects.access import access_project
from mercenary.projects.errors import ProjectNotFoundError
from mercenary.proposals.service import has_live_proposal
from mercenary.security.principal import Principal, require_role

# Files one project may hold: a brief, its annexes, a few drawings.
MAX_DOCUMENTS = 50


async def access_documents(conn: Executor, project_id: int, principal: Principal) -> Row:
    """The project, if the caller may read its documents: its organization, or a freelancer with a
    live proposal on it; 404 otherwise."""
    project = await access_project(conn, project_id, principal)
    if project["tenant_id"] == principal.tenant_id:
        return project
    if principal.role == "freelancer" and await has_live_proposal(conn, project_id, principal.user_id):
        return project
    raise ProjectNotFoundError("No such project.")


async def access_own_documents(conn: Executor, project_id: int, principal: Principal) -> Row:
    """The project, if the caller is one of its organization's clients (who add and delete its
    documents); 403 for other roles, 404 for anyone else's project."""
    require_role(principal, "client")
    project = await access_project(conn, project_id, principal)
    if project["tenant_id"] != principal.tenant_id:
        raise ProjectNotFoundError("No such project.")
    return project


async def check_room(conn: Executor, project_id: int, principal: Principal) -> None:
    """Whether the caller may add a document to the project now (before its bytes are received):
    the project is theirs (403/404) and holds fewer than :data:`MAX_DOCUMENTS` (409)."""
    await access_own_documents(conn, project_id, principal)
    if await conn.fetch_val(queries.count_documents, project_id=project_id) >= MAX_DOCUMENTS:
        raise TooManyDocumentsError(
            f"The project holds {MAX_DOCUMENTS} documents already.", max_documents=MAX_DOCUMENTS
        )


async def add_document(conn: Executor, principal: Principal, project_id: int, upload: StoredUpload) -> Row:
    """Record a stored upload as a document of the project (checked again: the project may have
    changed while the file arrived). The count is a soft cap: two uploads racing for the last
    place may both pass."""
    await check_room(conn, project_id, principal)
    row = await conn.fetch_one(
        queries.insert_document,
        project_id=project_id,
        tenant_id=principal.tenant_id,  # the project's: check_room found it the caller's
        uploaded_by=principal.user_id,
        filename=upload.filename,
        media_type=upload.media_type,
        size=upload.size,
        sha256=upload.sha256,
        blob_key=upload.key,
        now=utcnow(),
    )
    assert row is not None
    return row


async def list_documents(db: Executor, principal: Principal, project_id: int, *, page: Keyset) -> Slice:
    """A page of the project's documents, newest first."""
    await access_documents(db, project_id, principal)
    rows = await db.fetch_all(
        queries.by_project, project_id=project_id, after=page.id_below(), limit=page.fetch
    )
    return page.cut(rows, ("id",))


async def get_document(db: Executor, principal: Principal, project_id: int, document_id: int) -> Row:
    """A document of a project whose documents the caller may read (with its ``blob_key``); 404 otherwise."""
    await access_documents(db, project_id, principal)
    row = await db.fetch_one(queries.get_document, id=document_id, project_id=project_id)
    if row is None:
        raise DocumentNotFoundError("No such document.")
    return row


async def delete_document(conn: Executor, principal: Principal, project_id: int, document_id: int) -> str:
    """Delete a document's row; returns its blob key, for the caller to delete after commit."""
    await access_own_documents(conn, project_id, principal)
    key = await conn.fetch_val(queries.delete_document, id=document_id, project_id=project_id)
    if key is None:
        raise DocumentNotFoundError("No such document.")
    return str(key)
