"""Auth endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from mercenary.auth.errors import EmailTakenError, InvalidCredentialsError, InvalidRefreshTokenError
from mercenary.auth.schemas import LoginRequest, RefreshRequest, SignupRequest, SignupResponse, TokenPair
from mercenary.auth.service import Auth
from mercenary.errors import HasherBusyError, InvalidRequestError
from mercenary.tenants.errors import UnknownInvitationError
from mercenary.web.deps import State
from mercenary.web.openapi import raises

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


async def get_auth(state: State) -> Auth:
    """The auth use cases for this app."""
    return Auth(state.db, state.hasher, state.tokens, state.settings)


AuthService = Annotated[Auth, Depends(get_auth)]


@router.post("/signup", status_code=201, response_model=SignupResponse)
@raises(EmailTakenError, InvalidRequestError, UnknownInvitationError, HasherBusyError)
async def signup(body: SignupRequest, auth: AuthService) -> dict[str, Any]:
    """Create an account. A client creates an organization (`organization`) or joins one
    (`invitation_code`); a freelancer gets a personal organization."""
    return await auth.signup(body)


@router.post("/login", response_model=TokenPair)
@raises(InvalidCredentialsError, HasherBusyError)
async def login(body: LoginRequest, auth: AuthService) -> dict[str, Any]:
    """Exchange e-mail and password for an access token and a refresh token."""
    return await auth.login(body.email, body.password)


@router.post("/refresh", response_model=TokenPair)
@raises(InvalidRefreshTokenError)
async def refresh(body: RefreshRequest, auth: AuthService) -> dict[str, Any]:
    """Rotate a refresh token: it stops working and a new pair is returned. Reusing a rotated
    token revokes its whole session."""
    return await auth.refresh(body.refresh_token)


@router.post("/logout", status_code=204, response_class=Response)
@raises(InvalidRefreshTokenError)
async def logout(body: RefreshRequest, auth: AuthService) -> Response:
    """Revoke the session the refresh token belongs to."""
    await auth.logout(body.refresh_token)
    return Response(status_code=204)
