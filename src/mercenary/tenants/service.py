"""Organization use cases. The caller owns the transaction."""

from __future__ import annotations

import secrets

from mercenary.db import Executor, Row
from mercenary.db.metadata import utcnow
from mercenary.errors import NotFoundError
from mercenary.tenants import queries
from mercenary.tenants.errors import UnknownInvitationError


async def create_organization(conn: Executor, *, name: str, kind: str) -> Row:
    """A new organization with a fresh invitation code."""
    row = await conn.fetch_one(
        queries.insert_organization,
        name=name,
        kind=kind,
        invitation_code=secrets.token_urlsafe(12),
        created_at=utcnow(),
    )
    assert row is not None
    return row


async def organization_for_invitation(conn: Executor, code: str) -> Row:
    """The company organization an invitation code admits to."""
    row = await conn.fetch_one(queries.find_company_by_invitation, code=code)
    if row is None:
        raise UnknownInvitationError("No organization has this invitation code.")
    return row


async def access_organization(conn: Executor, organization_id: int, *, tenant_id: int) -> Row:
    """The caller's own organization; any other id is a 404 (SEC-1)."""
    row = (
        await conn.fetch_one(queries.get_organization, id=organization_id)
        if organization_id == tenant_id
        else None
    )
    if row is None:
        raise NotFoundError("No such organization.")
    return row


async def is_company(conn: Executor, organization_id: int) -> bool:
    """Whether ``organization_id`` is a client's company (not a freelancer's personal organization)."""
    return await conn.fetch_one(queries.is_company, id=organization_id) is not None
