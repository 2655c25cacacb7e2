"""Keyset pagination (API-2): opaque, signed cursors and the ``{items, next_cursor, has_more}`` page.

A cursor is the sort key of the last item served, encoded and signed with HMAC so that a client
cannot forge or alter one (a tampered cursor is a clear 400, not a wrong page).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel

from mercenary.errors import MercenaryError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_SIG_BYTES = 12

T = TypeVar("T")


class InvalidCursorError(MercenaryError):
    """The cursor was not issued by this service, was altered, or belongs to another list."""

    status = 400
    code = "invalid_cursor"
    title = "Invalid cursor"


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None
    has_more: bool


class CursorCodec:
    """Encodes and verifies cursors with the service's secret key."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"cursor:" + secret.encode()).digest()

    def _sign(self, scope: str, payload: bytes) -> bytes:
        return hmac.new(self._key, scope.encode() + b"\0" + payload, hashlib.sha256).digest()[:_SIG_BYTES]

    def encode(self, scope: str, key: Sequence[Any]) -> str:
        """A cursor for the list named ``scope`` that resumes after sort key ``key``."""
        payload = orjson.dumps(list(key))
        return base64.urlsafe_b64encode(self._sign(scope, payload) + payload).rstrip(b"=").decode()

    def decode(self, scope: str, cursor: str) -> list[Any]:
        """The sort key inside ``cursor``; raises :class:`InvalidCursorError` if it was not ours."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursorError("The cursor is not valid.") from None
        sig, payload = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
        if len(sig) != _SIG_BYTES or not hmac.compare_digest(sig, self._sign(scope, payload)):
            raise InvalidCursorError("The cursor is not valid.")
        key = orjson.loads(payload)
        if not isinstance(key, list):
            raise InvalidCursorError("The cursor is not valid.")
        return key


def page_of(
    rows: list[dict[str, Any]], limit: int, codec: CursorCodec, scope: str, key: tuple[str, ...]
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """Cut ``rows`` (fetched with ``limit + 1``) to a page and build its next cursor from ``key`` columns."""
    has_more = len(rows) > limit
    items = rows[:limit]
    cursor = codec.encode(scope, [items[-1][k] for k in key]) if has_more and items else None
    return items, cursor, has_more


def id_after(codec: CursorCodec, scope: str, cursor: str | None, first: int) -> int:
    """The id a list keyed on ``id`` resumes after: ``first`` without a cursor, else the cursor's id."""
    if not cursor:
        return first
    key = codec.decode(scope, cursor)
    if len(key) != 1 or not isinstance(key[0], int) or isinstance(key[0], bool):
        raise InvalidCursorError("The cursor is not valid.")
    return key[0]
