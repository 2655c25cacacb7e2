"""The reviews domain's client-visible errors (codes listed in ``docs/errors.md``)."""

from __future__ import annotations

from mercenary.errors import ConflictError, InvalidRequestError, PermissionDeniedError


class ProjectNotClosedError(ConflictError):
    """Reviews open once the project is closed with an accepted proposal."""

    code = "project_not_closed"
    title = "Project not closed"


class NotAParticipantError(PermissionDeniedError):
    """Only the hiring organization's clients and the hired freelancer review a project."""

    code = "not_a_participant"
    title = "Not a participant"


class InvalidRevieweeError(InvalidRequestError):
    """The reviewee is not the other party of the project."""

    code = "invalid_reviewee"
    title = "Invalid reviewee"


class AlreadyReviewedError(ConflictError):
    """This side of the project has already reviewed the other."""

    code = "already_reviewed"
    title = "Already reviewed"
