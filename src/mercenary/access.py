"""Role checks shared by every domain. Object-level checks (tenant, ownership) live in each domain's
``access_*`` guards, which answer 404 for both "not yours" and "does not exist" (SEC-1)."""

from __future__ import annotations

from mercenary.auth.tokens import Principal
from mercenary.errors import PermissionDeniedError


def require_role(principal: Principal, *roles: str) -> None:
    """Raise 403 unless the caller has one of ``roles``."""
    if principal.role not in roles:
        raise PermissionDeniedError(f"This action needs the role {' or '.join(roles)}.")
