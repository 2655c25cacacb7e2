"""Auth endpoints."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response

from mercenary.auth.errors import EmailTakenError, InvalidCredentialsError, InvalidRefreshTokenError
from mercenary.auth.schemas import LoginRequest, RefreshRequest, SignupRequest, SignupResponse, TokenPair
from mercenary.auth.service import Auth
from mercenary.db import Connection
from mercenary.errors import HasherBusyError, InvalidRequestError, RateLimitedError
from mercenary.tenants.errors import UnknownInvitationError
from mercenary.web.deps import State
from mercenary.web.idempotency import REPLAYED, Idempotent, anonymous_scope, serialized
from mercenary.web.limits import check_account
from mercenary.web.openapi import raises

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


async def get_auth(state: State) -> Auth:
    """The auth use cases for this app."""
    return Auth(state.db, state.hasher, state.tokens, state.settings)


AuthService = Annotated[Auth, Depends(get_auth)]


@router.post("/signup", status_code=201, response_model=SignupResponse)
@raises(EmailTakenError, InvalidRequestError, UnknownInvitationError, HasherBusyError, RateLimitedError)
async def signup(
    body: SignupRequest, auth: AuthService, state: State, request: Request, idem: Idempotent
) -> Response:
    """Create an account. A client creates an organization (`organization`) or joins one
    (`invitation_code`); a freelancer gets a personal organization. Safe to retry with an
    `Idempotency-Key` (the same body, from the same address)."""
    await check_account(state.limiter, state.rate_policy, str(body.email).lower())
    async with idem.begin(state, anonymous_scope(request)) as once:
        if once.replay is not None:
            # The stored answer keeps the new user, not the tokens: whoever can read the database
            # must not find a live session there (refresh tokens are kept as digests). The retry
            # proved the password (the key's fingerprint covers the body), so it gets a new pair.
            tokens = await auth.login(str(body.email), body.password)
            user = orjson.loads(once.replay.body)["user"]
            replayed = serialized(SignupResponse, {**tokens, "user": user})
            return Response(replayed, 201, REPLAYED, media_type="application/json")
        sent: list[Response] = []

        async def record(conn: Connection, result: dict[str, Any]) -> None:
            body = serialized(SignupResponse, result)
            kept = orjson.dumps({"user": orjson.loads(body)["user"]})
            sent.append(await once.record(conn, 201, body, stored=kept))

        await auth.signup(body, within=record)
        return sent[-1]  # the attempt that committed (a transient failure runs the unit again)


@router.post("/login", response_model=TokenPair)
@raises(InvalidCredentialsError, HasherBusyError, RateLimitedError)
async def login(body: LoginRequest, auth: AuthService, state: State) -> dict[str, Any]:
    """Exchange e-mail and password for an access token and a refresh token. At most
    `RATE_LIMIT_SENSITIVE` attempts per account and per client address."""
    await check_account(state.limiter, state.rate_policy, body.email.strip().lower())
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
