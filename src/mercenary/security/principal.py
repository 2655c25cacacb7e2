"""The caller and the role check shared by every domain. Object-level checks (tenant, ownership) live
in each domain's ``access_*`` guards, which answer 404 for both "not yours" and "does not exist"
(SEC-1)."""

from __future__ import annotations

from dataclasses import dataclass

from mercenary.errors import PermissionDeniedError


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: taken from a verified access token, no database read needed."""

    user_id: int
    tenant_id: int
    role: str


def require_role(principal: Principal, *roles: str) -> None:
    """Raise 403 unless the caller has one of ``roles``."""
    if principal.role not in roles:
        raise PermissionDeniedError(f"This action needs the role {' or '.join(roles)}.")
