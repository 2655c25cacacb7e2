"""The signature on cached values in Redis (backends/cache/signing.py): HMAC-SHA256 only, so a value
written into Redis by someone without the key is never unpickled; older keys still verify."""

from __future__ import annotations

import pickle
import uuid
from typing import Any

import pytest
import redis.asyncio as aioredis
from cashews.backends.interface import Backend
from cashews.exceptions import SignIsMissingError, UnSecureDataError
from cashews.serialize import HashSigner, get_serializer

from mercenary.backends.cache import CacheStore
from mercenary.backends.cache.backends import open_backend
from mercenary.backends.cache.signing import PinnedSigner
from tests.support.servers import RedisServer

OLD = "o" * 40
NEW = "n" * 40
RAN: list[str] = []


def _ran(marker: str) -> str:
    """What a hostile pickle would call; the tests check that it never runs."""
    RAN.append(marker)
    return marker


class Hostile:
    def __reduce__(self) -> tuple[Any, ...]:
        return (_ran, ("unpickled",))


async def close(backend: Backend) -> None:
    await CacheStore(backend).close()  # closes the way the service does


def sum_signed(secret: str, key: str, value: bytes) -> bytes:
    """cashews' ``sum`` signature: the sum of the secret's bytes and of the value's, in hex."""
    return b"sum:" + f"{sum(secret.encode()) + sum(key.encode() + value):x}".encode() + b"_" + value


def test_sign_and_check_with_the_current_and_older_keys() -> None:
    old, rotated, other = PinnedSigner([OLD]), PinnedSigner([NEW, OLD]), PinnedSigner([NEW])
    signed = old.sign("k", b"value")
    assert rotated.check_sign("k", signed) == b"value"
    assert rotated.sign("k", b"value") == other.sign("k", b"value")  # signs with the first key
    with pytest.raises(UnSecureDataError):
        other.check_sign("k", signed)
    with pytest.raises(UnSecureDataError):
        rotated.check_sign("another-key", signed)  # a value is bound to its key
    with pytest.raises(SignIsMissingError):
        rotated.check_sign("k", b"unsigned")
    # Entries written before this signer (cashews' HMAC-SHA256) read as they are.
    assert rotated.check_sign("k", HashSigner(OLD, b"sha256").sign("k", b"value")) == b"value"


@pytest.mark.parametrize("digest", [b"md5", b"sha1", b"sum"])
def test_weaker_signatures_are_refused_even_when_right(digest: bytes) -> None:
    value = pickle.dumps(Hostile())
    signed = sum_signed(NEW, "k", value) if digest == b"sum" else HashSigner(NEW, digest).sign("k", value)
    with pytest.raises(UnSecureDataError):
        PinnedSigner([NEW]).check_sign("k", signed)


async def test_a_value_planted_in_redis_is_never_unpickled(redis_server: RedisServer) -> None:
    prefix = f"sig{uuid.uuid4().hex[:8]}:"
    key = prefix + "planted"  # the backend adds its prefix, and signs the key it stores under
    planted = sum_signed(NEW, key, pickle.dumps(Hostile()))
    raw = aioredis.Redis.from_url(redis_server.url)
    backend = open_backend(redis_server.url, prefix, [NEW])
    await backend.init()  # type: ignore[no-untyped-call]
    try:
        await raw.set(key, planted)
        # cashews' own serializer, with the same key, would run it: the reason for PinnedSigner.
        unsafe = get_serializer(secret=NEW, digestmod=b"sha256", pickle_type=None)
        assert await unsafe.decode(backend, key, planted, None) == "unpickled"
        assert RAN == ["unpickled"]
        RAN.clear()
        with pytest.raises(UnSecureDataError):
            await backend.get("planted")
        assert RAN == []
    finally:
        await close(backend)
        await raw.aclose()


async def test_values_written_before_a_rotation_are_still_read(redis_server: RedisServer) -> None:
    prefix = f"rot{uuid.uuid4().hex[:8]}:"
    before = open_backend(redis_server.url, prefix, [OLD])
    after = open_backend(redis_server.url, prefix, [NEW, OLD])
    retired = open_backend(redis_server.url, prefix, [NEW])
    for backend in (before, after, retired):
        await backend.init()  # type: ignore[no-untyped-call]
    try:
        await before.set("k", {"id": 1})
        assert await after.get("k") == {"id": 1}
        with pytest.raises(UnSecureDataError):
            await retired.get("k")
    finally:
        for backend in (before, after, retired):
            await close(backend)
