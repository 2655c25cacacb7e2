"""The skills domain's client-visible errors (codes listed in ``docs/errors.md``)."""

from __future__ import annotations

from mercenary.errors import ConflictError, InvalidRequestError


class UnknownSkillError(InvalidRequestError):
    """A skill slug (or alias) that the taxonomy does not have."""

    code = "unknown_skill"
    title = "Unknown skill"


class SkillNameTakenError(ConflictError):
    """A slug or alias already names another skill."""

    code = "skill_name_taken"
    title = "Skill name taken"
