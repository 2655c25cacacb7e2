"""Project document statements."""

import sqlalchemy as sa

from mercenary.db import Query
from mercenary.documents.tables import project_documents as pd

bp = sa.bindparam

COLUMNS = (
    pd.c.id,
    pd.c.project_id,
    pd.c.uploaded_by,
    pd.c.filename,
    pd.c.media_type,
    pd.c.size,
    pd.c.sha256,
    pd.c.created_at,
)

insert_document = Query(
    "documents.insert",
    sa.insert(pd)
    .values(
        project_id=bp("project_id"),
        tenant_id=bp("tenant_id"),
        uploaded_by=bp("uploaded_by"),
        filename=bp("filename"),
        media_type=bp("media_type"),
        size=bp("size"),
        sha256=bp("sha256"),
        blob_key=bp("blob_key"),
        created_at=bp("now"),
    )
    .returning(*COLUMNS),
)

get_document = Query(
    "documents.get",
    sa.select(*COLUMNS, pd.c.blob_key).where(pd.c.id == bp("id"), pd.c.project_id == bp("project_id")),
)

count_documents = Query(
    "documents.count", sa.select(sa.func.count()).select_from(pd).where(pd.c.project_id == bp("project_id"))
)

# Newest first, on ix_project_documents_project_id_id.
by_project = Query(
    "documents.by_project",
    sa.select(*COLUMNS)
    .where(pd.c.project_id == bp("project_id"), pd.c.id < bp("after"))
    .order_by(pd.c.id.desc())
    .limit(bp("limit")),
)

delete_document = Query(
    "documents.delete",
    sa.delete(pd).where(pd.c.id == bp("id"), pd.c.project_id == bp("project_id")).returning(pd.c.blob_key),
)
