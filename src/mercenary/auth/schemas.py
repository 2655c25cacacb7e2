"""Auth I/O shapes. Inputs forbid unknown fields and bound every string."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from mercenary.users.schemas import UserRead
from mercenary.web.schemas import Strict

Password = Annotated[str, Field(min_length=8, max_length=128)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class SignupRequest(Strict):
    """A new account. Clients create an organization by name or join one by invitation code;
    freelancers get a personal organization."""

    email: Annotated[EmailStr, Field(max_length=254)]
    password: Password
    name: Name
    role: Literal["client", "freelancer"]
    organization: Name | None = None
    invitation_code: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class LoginRequest(Strict):
    """E-mail and password."""

    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=128)]


class RefreshRequest(Strict):
    """A refresh token, for rotation or revocation."""

    # Long enough to take an access token by mistake, so that it is refused by name (401), not
    # as an over-long string.
    refresh_token: Annotated[str, Field(min_length=16, max_length=2048)]


class TokenPair(BaseModel):
    """A fresh access token and the refresh token that replaces the one presented."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a token kind, not a secret)
    expires_in: int


class SignupResponse(TokenPair):
    """The new user and their first token pair."""

    user: UserRead
