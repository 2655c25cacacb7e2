"""Project document tables: one row per file, its bytes in the blob store under ``blob_key``."""

import sqlalchemy as sa

from mercenary.db.metadata import created_at_column, fk_column, id_column, metadata

project_documents = sa.Table(
    "project_documents",
    metadata,
    id_column(),
    fk_column("project_id", "projects.id"),
    # The project's organization, copied from the project: the documents are its own.
    fk_column("tenant_id", "organizations.id"),
    fk_column("uploaded_by", "users.id"),
    # The name a download gets (the client's, cleaned, with the extension of the sniffed type).
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    # A random key in the blob store (backends/blobs): nothing about the file or its owner.
    sa.Column("blob_key", sa.String(64), nullable=False),
    created_at_column(),
    sa.CheckConstraint("size >= 0", name="size"),
    sa.UniqueConstraint("blob_key", name="uq_project_documents_blob_key"),
    # A project's documents, newest first (the list's keyset).
    sa.Index("ix_project_documents_project_id_id", "project_id", "id"),
)
