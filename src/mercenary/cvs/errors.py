"""The CV domain's client-visible errors (codes listed in ``docs/errors.md``)."""

from __future__ import annotations

from mercenary.errors import ConflictError, InvalidRequestError, NotFoundError


class CVNotFoundError(NotFoundError):
    """No such CV, or the caller may not see it (its owner, and organizations it is shared with)."""

    code = "cv_not_found"
    title = "CV not found"


class ShareNotFoundError(NotFoundError):
    """The CV is not shared with that organization, or the organization does not exist."""

    code = "share_not_found"
    title = "Share not found"


class CVNotParsedError(ConflictError):
    """No version of the CV has been parsed yet: there are no skills to accept."""

    code = "cv_not_parsed"
    title = "CV not parsed"


class ProfileRequiredError(ConflictError):
    """Skills are accepted onto a profile: create it first (``PUT /freelancers/{id}/profile``)."""

    code = "profile_required"
    title = "Profile required"


class SkillNotProposedError(InvalidRequestError):
    """A skill to accept is not among those the CV's latest parsed version proposes."""

    code = "skill_not_proposed"
    title = "Skill not proposed"
