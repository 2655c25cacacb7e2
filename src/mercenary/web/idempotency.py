"""``Idempotency-Key`` on the POSTs that create (API-7): a retried request gets the first response.

A route takes the :data:`Idempotent` dependency and runs its write through it::

    async def create(conn: Connection) -> bytes:
        return serialized(ThingRead, await service.create_thing(conn, ...))

    return await idem.run(state, caller_scope(principal), 201, create)

Without the header the write runs as before (the header lookup is all it costs). With it:

- the first request claims the key, and its response is stored in the transaction of its write
  (``idempotency/store.py`` says why that matters), then sent;
- the same key with the same request (method, path and body, byte for byte) from the same caller
  within ``IDEMPOTENCY_TTL_S`` gets that response again, status and body, with
  ``Idempotent-Replayed: true``, and nothing runs;
- the same key with another request: 422 ``idempotency_key_reused``;
- the same key while the first request is still in flight: 409 ``idempotency_key_in_flight`` with
  ``Retry-After``;
- a request that fails (an error response, a crash, a database failure) releases its key and stores
  nothing: its write rolled back, so a retry with the same key runs again.

Keys belong to a caller: a signed-in user's keys are theirs alone (``user:<id>``); an anonymous
caller's (sign-up) belong to its client address. A key is 1-255 visible ASCII characters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from pydantic import BaseModel
from starlette.responses import Response

from mercenary.db import Connection, run_transaction
from mercenary.idempotency.store import IdempotencyKeys, Stored
from mercenary.security.principal import Principal
from mercenary.state import AppState
from mercenary.web.limits import CLIENT_IP

KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Send a unique key (a UUID) to make a retry of this request safe: the first "
        "response is returned again and nothing new is created (24 h).",
    ),
]
REPLAYED = {"Idempotent-Replayed": "true"}


def serialized(model: type[BaseModel], data: Any, *, exclude_none: bool = False) -> bytes:
    """``data`` as the JSON body ``model`` describes (what FastAPI's ``response_model`` would send)."""
    return model.model_validate(data).model_dump_json(exclude_none=exclude_none).encode()


def caller_scope(principal: Principal) -> str:
    """The key scope of a signed-in caller."""
    return f"user:{principal.user_id}"


def anonymous_scope(request: Request) -> str:
    """The key scope of an anonymous caller: its client address (as the rate limiter found it)."""
    address = request.scope.get(CLIENT_IP) or (request.client.host if request.client else "unknown")
    return f"ip:{address}"


@dataclass(slots=True)
class Once:
    """One request's hold on its key: the response to replay, or the claim to complete."""

    keys: IdempotencyKeys | None
    claim: int | None
    replay: Response | None = None
    recorded: bool = False

    async def record(
        self, conn: Connection, status: int, body: bytes, stored: bytes | None = None
    ) -> Response:
        """The response to send, its copy (or ``stored``, what a replay needs of it) stored in
        ``conn``'s transaction (the write's)."""
        if self.keys is not None and self.claim is not None:
            await self.keys.complete(conn, self.claim, status, body if stored is None else stored)
            self.recorded = True
        return Response(body, status_code=status, media_type="application/json")


class Idempotency:
    """The request's ``Idempotency-Key`` (None without the header) and how to honour it."""

    __slots__ = ("key", "request")

    def __init__(self, request: Request, key: str | None) -> None:
        self.request = request
        self.key = key

    @asynccontextmanager
    async def begin(self, state: AppState, scope: str, body: bytes | None = None) -> AsyncIterator[Once]:
        """Claim the key for the body of the ``async with``, which returns ``once.replay`` when it
        is set and otherwise calls ``once.record`` inside its write's transaction. Raises the
        409/422 of the module docstring; releases the key when the body fails or records nothing.
        ``body`` stands for the request's body where that is not held in memory (an upload gives
        its file's checksum and name)."""
        if self.key is None:
            yield Once(None, None)
            return
        keys = state.idempotency
        if body is None:
            body = await self.request.body()  # already read by FastAPI for the body model: no I/O
        fingerprint = keys.fingerprint(self.request.method, self.request.scope["path"], body)
        claimed = await keys.claim(scope, self.key, fingerprint)
        if isinstance(claimed, Stored):
            replay = Response(claimed.body, claimed.status, REPLAYED, media_type="application/json")
            yield Once(keys, None, replay)
            return
        once = Once(keys, claimed)
        try:
            yield once
        except BaseException:  # the write failed or rolled back (COMMIT included): free the key
            await keys.release(claimed)
            raise
        if not once.recorded:
            await keys.release(claimed)

    async def run(
        self,
        state: AppState,
        scope: str,
        status: int,
        create: Callable[[Connection], Awaitable[bytes]],
        body: bytes | None = None,
    ) -> Response:
        """Run ``create`` (the write, returning the response body) in a transaction, once per key
        (``body``: as for :meth:`begin`)."""
        async with self.begin(state, scope, body) as once:
            if once.replay is not None:
                return once.replay

            async def unit(conn: Connection) -> Response:
                return await once.record(conn, status, await create(conn))

            # Run again from the start when it failed transiently before COMMIT (DB-7): the
            # record of the key is part of the same transaction, so it rolled back with the write.
            return await run_transaction(state.db, unit, what="a creation")


async def idempotency(request: Request, key: KeyHeader = None) -> Idempotency:
    """The request's idempotency key."""
    return Idempotency(request, key)


Idempotent = Annotated[Idempotency, Depends(idempotency)]
