"""User I/O shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from mercenary.users.tables import Role
from mercenary.web.pagination import Page


class UserPublic(BaseModel):
    """What any signed-in user may see of another user."""

    id: int
    name: str
    role: Role
    created_at: datetime


class UserRead(UserPublic):
    """A user as they and their organization see them."""

    tenant_id: int
    email: str
    is_active: bool


class UserPage(Page[UserRead]):
    """A page of an organization's members, in id order (``?fields=`` keeps only the named fields)."""


USER_FIELDS = tuple(UserRead.model_fields)
