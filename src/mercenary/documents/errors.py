"""The documents domain's client-visible errors (codes listed in ``docs/errors.md``)."""

from __future__ import annotations

from mercenary.errors import ConflictError, NotFoundError


class DocumentNotFoundError(NotFoundError):
    """No document with this id on this project that the caller may see."""

    code = "document_not_found"
    title = "Document not found"


class TooManyDocumentsError(ConflictError):
    """The project already holds as many documents as it may (`max_documents`); delete one first."""

    code = "too_many_documents"
    title = "Too many documents"
