"""Sign-up, log-in, refresh-token rotation with reuse detection, and log-out.

Password hashing happens before any transaction opens, so a slow hash never holds a database
connection (or SQLite's single writer).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from mercenary.auth import queries
from mercenary.auth.errors import EmailTakenError, InvalidCredentialsError, InvalidRefreshTokenError
from mercenary.auth.schemas import SignupRequest
from mercenary.db import Connection, Database, Executor, IntegrityError, Row, run_transaction
from mercenary.db.metadata import utcnow
from mercenary.db.replica import on_primary
from mercenary.errors import InvalidRequestError
from mercenary.security.passwords import PasswordHasher
from mercenary.security.principal import Principal
from mercenary.security.tokens import TokenService, digest, looks_like_jwt, new_refresh_token
from mercenary.settings import Settings
from mercenary.tenants import service as tenants
from mercenary.users import service as users


def _refuse_access_token(token: str) -> None:
    """Access and refresh tokens are not interchangeable: a JWT here is an access token."""
    if looks_like_jwt(token):
        raise InvalidRefreshTokenError("This is an access token; send the refresh token.")


class Auth:
    """The auth use cases, bound to the app's database, hasher and token service."""

    def __init__(
        self, db: Database, hasher: PasswordHasher, tokens: TokenService, settings: Settings
    ) -> None:
        self.db = db
        self.hasher = hasher
        self.tokens = tokens
        self.refresh_ttl = timedelta(seconds=settings.REFRESH_TOKEN_TTL_S)

    async def _issue(
        self, conn: Executor, principal: Principal, family_id: str | None = None
    ) -> dict[str, Any]:
        refresh = new_refresh_token()
        now = utcnow()
        await conn.execute(
            queries.insert_refresh,
            user_id=principal.user_id,
            family_id=family_id or secrets.token_hex(16),
            token_hash=digest(refresh),
            now=now,
            expires_at=now + self.refresh_ttl,
        )
        return {
            "access_token": self.tokens.issue_access(principal),
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": self.tokens.access_ttl_s,
        }

    async def signup(
        self,
        req: SignupRequest,
        within: Callable[[Connection, dict[str, Any]], Awaitable[None]] | None = None,
    ) -> dict[str, Any]:
        """Create the account (and its organization) and sign it in. ``within`` is called with the
        result inside the sign-up's transaction, before COMMIT (an idempotency key's response is
        stored with the account it describes)."""
        if req.role == "client" and (req.organization is None) == (req.invitation_code is None):
            raise InvalidRequestError(
                "A client gives either `organization` (to create one) or `invitation_code`."
            )
        if req.role == "freelancer" and (req.organization or req.invitation_code):
            raise InvalidRequestError("A freelancer gets a personal organization; omit organization fields.")
        email = str(req.email).lower()
        if await users.email_taken(self.db, email):
            raise EmailTakenError("An account with this e-mail address exists.")
        password_hash = await self.hasher.hash(req.password)

        async def unit(conn: Connection) -> dict[str, Any]:
            if req.invitation_code is not None:
                org = await tenants.organization_for_invitation(conn, req.invitation_code)
            elif req.role == "client":
                org = await tenants.create_organization(conn, name=str(req.organization), kind="company")
            else:
                org = await tenants.create_organization(conn, name=req.name, kind="personal")
            user = await users.create_user(
                conn,
                tenant_id=org["id"],
                email=email,
                name=req.name,
                role=req.role,
                password_hash=password_hash,
            )
            pair = await self._issue(conn, Principal(user["id"], user["tenant_id"], user["role"]))
            result = {**pair, "user": user}
            if within is not None:
                await within(conn, result)
            return result

        try:
            return await run_transaction(self.db, unit, what="a sign-up")
        except IntegrityError as exc:  # lost a race with a concurrent sign-up of the same e-mail
            raise EmailTakenError("An account with this e-mail address exists.") from exc

    async def login(self, email: str, password: str) -> dict[str, Any]:
        """A token pair for valid credentials."""
        # Credentials are checked on the primary: a lagging replica could still hold a password
        # since changed or an account since deactivated (DB-8, db/replica.py).
        with on_primary():
            row = await users.login_record(self.db, email.strip().lower())
        usable = row is not None and row["is_active"]
        ok = await self.hasher.verify(row["password_hash"] if usable and row else None, password)
        if not ok or row is None:
            raise InvalidCredentialsError("Wrong e-mail or password.")
        principal = Principal(row["id"], row["tenant_id"], row["role"])
        return await run_transaction(self.db, lambda conn: self._issue(conn, principal), what="a log-in")

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        """Rotate: the presented token is revoked and a new pair issued in the same family.

        Presenting a token that was already rotated means it leaked (or the client is confused):
        the whole family is revoked, so neither copy works any more.
        """
        _refuse_access_token(refresh_token)
        token_hash = digest(refresh_token)
        now = utcnow()

        async def rotate(conn: Connection) -> dict[str, Any] | None:
            consumed = await conn.fetch_one(queries.consume_refresh, token_hash=token_hash, now=now)
            if consumed is not None:
                user = await users.active_principal(conn, consumed["user_id"])
                if user is not None:
                    principal = Principal(user["id"], user["tenant_id"], user["role"])
                    return await self._issue(conn, principal, consumed["family_id"])
            return None

        pair = await run_transaction(self.db, rotate, what="a refresh")
        if pair is not None:
            return pair
        known = await self.db.fetch_one(queries.find_refresh, token_hash=token_hash)
        if known is not None and known["revoked_at"] is not None:
            await self._revoke(known["family_id"])
            raise InvalidRefreshTokenError("This refresh token was already used; its session is revoked.")
        raise InvalidRefreshTokenError("The refresh token is unknown or expired.")

    async def logout(self, refresh_token: str) -> None:
        """Revoke the session (the token's whole family). Logging out twice is harmless."""
        _refuse_access_token(refresh_token)
        with on_primary():  # a session issued a moment ago, maybe through another instance
            known = await self.db.fetch_one(queries.find_refresh, token_hash=digest(refresh_token))
        if known is None:
            raise InvalidRefreshTokenError("The refresh token is unknown.")
        await self._revoke(known["family_id"])

    async def _revoke(self, family_id: Any) -> None:
        now = utcnow()

        async def unit(conn: Connection) -> None:
            await conn.execute(queries.revoke_family, family_id=family_id, now=now)

        await run_transaction(self.db, unit, what="a revocation")


async def create_admin(db: Database, hasher: PasswordHasher, *, email: str, name: str, password: str) -> Row:
    """An administrator in a new "Administrators" organization (admins cannot sign up through the
    API). Raises :class:`EmailTakenError` when the address is registered."""
    email = email.strip().lower()
    if await users.email_taken(db, email):
        raise EmailTakenError(f"{email} is already registered.")
    password_hash = await hasher.hash(password)
    try:
        async with db.transaction() as conn:
            org = await tenants.create_organization(conn, name="Administrators", kind="company")
            return await users.create_user(
                conn, tenant_id=org["id"], email=email, name=name, role="admin", password_hash=password_hash
            )
    except IntegrityError as exc:
        raise EmailTakenError(f"{email} is already registered.") from exc
