"""Project document I/O shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from mercenary.web.pagination import Page


class DocumentRead(BaseModel):
    """A file attached to a project (its bytes: `GET .../documents/{id}`)."""

    id: int
    project_id: int
    uploaded_by: int
    filename: str = Field(description="The name a download gets, with the extension of its type.")
    media_type: str = Field(description="The type its bytes show (never the one the uploader declared).")
    size: int = Field(description="Bytes.")
    sha256: str = Field(description="Hex SHA-256 of the bytes.")
    created_at: datetime


class DocumentPage(Page[DocumentRead]):
    """A page of a project's documents, newest first."""
