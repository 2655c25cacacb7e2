"""The proposals domain's client-visible errors (codes listed in ``docs/errors.md``)."""

from __future__ import annotations

from mercenary.errors import ConflictError, NotFoundError


class ProposalNotFoundError(NotFoundError):
    """No proposal with this id that the caller may see."""

    code = "proposal_not_found"
    title = "Proposal not found"


class ProposalExistsError(ConflictError):
    """The freelancer already has a live (submitted or accepted) proposal on this project."""

    code = "proposal_exists"
    title = "Proposal exists"


class ProposalNotSubmittedError(ConflictError):
    """Only a submitted proposal can be accepted, rejected or withdrawn."""

    code = "proposal_not_submitted"
    title = "Proposal already decided"
