"""User use cases and the ``visible_user`` guard.

Who sees whom (SEC-1): a user's public view (name, role) is shown to a caller with a reason to see
it: anyone sees a freelancer (their profiles are public anyway), themselves and the members of
their own organization (which ``GET /users`` lists); a freelancer sees the members of an
organization on whose project they proposed, the counterpart of a shared project; an administrator
sees everyone. Anyone else gets the 404 of a user who does not exist, so ids cannot be walked to
list the accounts (administrators included).
"""

from __future__ import annotations

from collections.abc import Iterable

from mercenary.backends.cache import CacheSpec, CacheStore
from mercenary.db import Executor, Row
from mercenary.db.keyset import Keyset, Slice
from mercenary.db.metadata import utcnow
from mercenary.errors import NotFoundError
from mercenary.proposals import service as proposals
from mercenary.security.principal import Principal
from mercenary.users import queries


async def get_user(db: Executor, user_id: int) -> Row:
    """The user with ``user_id``; 404 when missing or deactivated."""
    row = await db.fetch_one(queries.get_user, id=user_id)
    if row is None or not row["is_active"]:
        raise NotFoundError("No such user.")
    return row


# Accounts do not change once made (no endpoint edits them), so a user is cached for 5 minutes. An
# unknown id is not cached: creating an account does not invalidate anything.
USER = CacheSpec("user", ttl=300, stale_for=900, negative_ttl=0)


async def cached_user(db: Executor, cache: CacheStore, user_id: int) -> Row:
    """``get_user`` through the cache."""

    async def load() -> Row | None:
        return await db.fetch_one(queries.get_user, id=user_id)

    row = await cache.get(USER, str(user_id), load)
    if row is None or not row["is_active"]:
        raise NotFoundError("No such user.")
    return row


async def visible_user(db: Executor, cache: CacheStore, principal: Principal, user_id: int) -> Row:
    """``user_id`` as ``principal`` may see them (module docstring), through the cache; 404 when
    missing, deactivated or not visible. Only a freelancer looking at another organization's member
    costs a statement more than the cached read."""
    row = await cached_user(db, cache, user_id)
    if (
        row["role"] == "freelancer"
        or row["tenant_id"] == principal.tenant_id
        or principal.role == "admin"
        or (
            principal.role == "freelancer"
            and await proposals.proposed_to_tenant(db, principal.user_id, int(row["tenant_id"]))
        )
    ):
        return row
    raise NotFoundError("No such user.")


async def list_members(db: Executor, *, tenant_id: int, page: Keyset) -> Slice:
    """A page of an organization's members, in id order."""
    rows = await db.fetch_all(
        queries.list_members, tenant_id=tenant_id, after=page.id_above(), limit=page.fetch
    )
    return page.cut(rows, ("id",))


async def public_users(db: Executor, ids: Iterable[int]) -> dict[int, Row]:
    """The public view (id, name, role, created_at) of each user in ``ids``, in one statement."""
    unique = sorted(set(ids))
    if not unique:
        return {}
    rows = await db.fetch_all(queries.public_by_ids, ids=unique)
    return {int(r["id"]): {k: r[k] for k in ("id", "name", "role", "created_at")} for r in rows}


async def email_taken(db: Executor, email: str) -> bool:
    """Whether an account uses ``email`` (already lower-cased)."""
    return await db.fetch_one(queries.email_taken, email=email) is not None


async def create_user(
    conn: Executor, *, tenant_id: int, email: str, name: str, role: str, password_hash: str
) -> Row:
    """Insert an active user (the one way accounts are made: sign-up and ``create-admin``); the
    unique e-mail constraint raises ``IntegrityError`` on a clash."""
    user = await conn.fetch_one(
        queries.insert_user,
        tenant_id=tenant_id,
        email=email,
        name=name,
        role=role,
        password_hash=password_hash,
        created_at=utcnow(),
    )
    assert user is not None
    return user


async def login_record(db: Executor, email: str) -> Row | None:
    """What a log-in checks for ``email``: id, tenant, role, password hash, whether active."""
    return await db.fetch_one(queries.get_login, email=email)


async def active_principal(db: Executor, user_id: int) -> Row | None:
    """Id, tenant and role of ``user_id`` while the account is active (refresh-token rotation)."""
    return await db.fetch_one(queries.get_active_principal, id=user_id)
