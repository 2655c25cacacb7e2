"""Keyset pagination (API-2) at the HTTP edge: opaque, signed cursors and the ``{items, next_cursor,
has_more}`` page.

A cursor is the sort key of the last item served, encoded and signed with HMAC so that a client
cannot forge or alter one (a tampered cursor is a clear 400, not a wrong page). Every list goes the
same way: its route makes a :class:`Pager` (the list's cursor scope and key shape), turns the
client's cursor into a :class:`~mercenary.db.keyset.Keyset` for the service, and turns the
service's :class:`~mercenary.db.keyset.Slice` back into the page, serialized once with orjson.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, Field
from starlette.responses import Response

from mercenary.db.keyset import Keyset, Slice
from mercenary.web.errors import InvalidCursorError
from mercenary.web.responses import json_body

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_SIG_BYTES = 12

T = TypeVar("T")
# The types of a list's sort key, in order: ``(int,)`` for an id, ``(float, int)`` for (rank, id).
KeyShape = tuple[type[int] | type[float], ...]
BY_ID: KeyShape = (int,)
BY_RANK: KeyShape = (float, int)


class Page(BaseModel, Generic[T]):
    """One page of a list. Documents the body in OpenAPI (each list has its ``<Entity>Page``); the
    body itself is written by :meth:`Pager.response`, so items are not validated on the way out and
    carry only the fields named in ``?fields=`` when it is given."""

    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")
    has_more: bool


class CursorCodec:
    """Encodes cursors with the service's current secret key and verifies them with it or with an
    older key still configured (``SECRET_KEYS_OLD``): a key rotation does not break the cursors of
    clients in the middle of a list; once the old key is dropped they are a 400 ``invalid_cursor``
    (the client starts the list again)."""

    def __init__(self, secrets: str | Sequence[str]) -> None:
        keys = [secrets] if isinstance(secrets, str) else list(secrets)
        self._keys = [hashlib.sha256(b"cursor:" + k.encode()).digest() for k in keys]

    @staticmethod
    def _sign(key: bytes, scope: str, payload: bytes) -> bytes:
        return hmac.new(key, scope.encode() + b"\0" + payload, hashlib.sha256).digest()[:_SIG_BYTES]

    def encode(self, scope: str, key: Sequence[Any]) -> str:
        """A cursor for the list named ``scope`` that resumes after sort key ``key``."""
        payload = orjson.dumps(list(key))
        signed = self._sign(self._keys[0], scope, payload) + payload
        return base64.urlsafe_b64encode(signed).rstrip(b"=").decode()

    def decode(self, scope: str, cursor: str) -> list[Any]:
        """The sort key inside ``cursor``; raises :class:`InvalidCursorError` if it was not ours."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursorError("The cursor is not valid.") from None
        sig, payload = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
        # The current key first: an older one is tried only for cursors issued before a rotation.
        if len(sig) != _SIG_BYTES or not any(
            hmac.compare_digest(sig, self._sign(k, scope, payload)) for k in self._keys
        ):
            raise InvalidCursorError("The cursor is not valid.")
        key = orjson.loads(payload)
        if not isinstance(key, list):
            raise InvalidCursorError("The cursor is not valid.")
        return key


def _key(raw: list[Any], shape: KeyShape) -> tuple[Any, ...] | None:
    """``raw`` as a key of ``shape`` (ints are accepted where a float is expected), or None."""
    if len(raw) != len(shape):
        return None
    key: list[Any] = []
    for value, kind in zip(raw, shape, strict=True):
        accepted = (int, float) if kind is float else (int,)
        if isinstance(value, bool) or not isinstance(value, accepted):
            return None
        key.append(kind(value))
    return tuple(key)


@dataclass(frozen=True, slots=True)
class Pager:
    """The cursors of one list: signed for ``scope`` (a cursor resumes only the list it came from)
    and carrying a sort key of ``shape``."""

    codec: CursorCodec
    scope: str
    shape: KeyShape = BY_ID

    def keyset(self, cursor: str | None, limit: int) -> Keyset:
        """The page ``cursor`` asks for (the first one without a cursor); 400 ``invalid_cursor``
        for a cursor that is not ours, was altered, or belongs to another list."""
        if not cursor:
            return Keyset(None, limit)
        key = _key(self.codec.decode(self.scope, cursor), self.shape)
        if key is None:
            raise InvalidCursorError("The cursor is not valid.")
        return Keyset(key, limit)

    def body(self, page: Slice, items: Sequence[Any]) -> bytes:
        """The JSON page: ``items`` (``page.items`` as shaped for the client) and the cursor of the
        next page, serialized once."""
        after = page.next_after
        next_cursor = None if after is None else self.codec.encode(self.scope, after)
        return orjson.dumps({"items": items, "next_cursor": next_cursor, "has_more": after is not None})

    def response(self, page: Slice, items: Sequence[Any]) -> Response:
        """``body`` as the response."""
        return json_body(self.body(page, items))
