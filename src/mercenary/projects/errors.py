"""The projects domain's client-visible errors (codes listed in ``docs/errors.md``)."""

from __future__ import annotations

from mercenary.errors import ConflictError, InvalidRequestError, NotFoundError


class ProjectNotFoundError(NotFoundError):
    """No project with this id that the caller may see."""

    code = "project_not_found"
    title = "Project not found"


class ProjectNotOpenError(ConflictError):
    """The project does not take proposals (it is a draft, closed or cancelled)."""

    code = "project_not_open"
    title = "Project not open"


class ProjectNotEditableError(ConflictError):
    """Closed and cancelled projects do not change."""

    code = "project_not_editable"
    title = "Project not editable"


class InvalidTransitionError(ConflictError):
    """The requested status cannot follow the project's current one."""

    code = "invalid_transition"
    title = "Invalid status transition"


class ProjectNotDeletableError(ConflictError):
    """Only drafts are deleted; a published project is cancelled instead."""

    code = "project_not_deletable"
    title = "Project not deletable"


class BatchInvalidError(InvalidRequestError):
    """At least one item of the batch is invalid; ``errors`` lists each one. Nothing was changed."""

    code = "batch_invalid"
    title = "Invalid batch"


class BatchConflictError(ConflictError):
    """An item changed while the batch was being written; nothing was changed."""

    code = "batch_conflict"
    title = "Batch conflict"


class InvalidFilterError(InvalidRequestError):
    """A combination of filters the list does not offer."""

    code = "invalid_filter"
    title = "Invalid filter"


class UnknownIncludeError(InvalidRequestError):
    """``?include=`` named a relation projects do not have."""

    code = "unknown_include"
    title = "Unknown include"
