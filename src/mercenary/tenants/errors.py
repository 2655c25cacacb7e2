"""The tenants domain's client-visible errors (codes listed in ``docs/errors.md``)."""

from __future__ import annotations

from mercenary.errors import InvalidRequestError


class UnknownInvitationError(InvalidRequestError):
    """The invitation code matches no organization."""

    code = "unknown_invitation"
    title = "Unknown invitation code"
