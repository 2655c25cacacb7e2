"""Password hashing limits and token verification, below the HTTP layer."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import jwt
import jwt.utils
import pytest

from mercenary.errors import HasherBusyError, InvalidTokenError
from mercenary.security.passwords import PasswordHasher
from mercenary.security.principal import Principal
from mercenary.security.tokens import LEEWAY_S, TokenService, digest, key_id, new_refresh_token
from mercenary.web.errors import InvalidCursorError
from mercenary.web.pagination import CursorCodec


async def test_hash_and_verify() -> None:
    hasher = PasswordHasher(8192, 1, 2, 4)
    hashed = await hasher.hash("a long password")
    assert hashed.startswith("$argon2id$")
    assert await hasher.verify(hashed, "a long password")
    assert not await hasher.verify(hashed, "another password")
    assert not await hasher.verify(None, "a long password")
    assert not await hasher.verify("not-a-hash", "x")


async def test_a_burst_beyond_the_queue_is_refused_fast() -> None:
    hasher = PasswordHasher(8192, 1, concurrency=1, queue=2)
    results = await asyncio.gather(*(hasher.hash(f"password{i}") for i in range(8)), return_exceptions=True)
    busy = [r for r in results if isinstance(r, HasherBusyError)]
    done = [r for r in results if isinstance(r, str)]
    assert len(done) == 3 and len(busy) == 5
    assert busy[0].status == 503 and busy[0].headers["Retry-After"] == "1"
    # Once the burst is over, hashing works again.
    assert (await hasher.hash("afterwards")).startswith("$argon2id$")


def test_access_tokens_round_trip_and_reject_other_keys() -> None:
    tokens = TokenService("k" * 40, 60)
    principal = Principal(7, 3, "freelancer")
    assert tokens.verify_access(tokens.issue_access(principal)) == principal
    with pytest.raises(InvalidTokenError):
        TokenService("z" * 40, 60).verify_access(tokens.issue_access(principal))


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = TokenService("k" * 40, 60)
    principal = Principal(7, 3, "client")
    token = tokens.issue_access(principal)
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        decoded.append(args[0])
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    assert tokens.verify_access(token) == principal
    assert tokens.verify_access(token) == principal
    assert decoded == [token]  # the signature was checked once
    # A forged variant of a remembered token is checked, and refused.
    with pytest.raises(InvalidTokenError):
        tokens.verify_access(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    # Past its expiry (and the leeway) a remembered token is refused like any other.
    later = time.time() + 60 + LEEWAY_S + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvalidTokenError, match="expired"):
        tokens.verify_access(token)


def test_refresh_tokens_are_random_and_stored_as_digests() -> None:
    a, b = new_refresh_token(), new_refresh_token()
    assert a != b and len(a) >= 40
    assert digest(a) != a and len(digest(a)) == 64


def test_cursors_are_bound_to_their_list() -> None:
    codec = CursorCodec("k" * 40)
    cursor = codec.encode("users", [42])
    assert codec.decode("users", cursor) == [42]
    with pytest.raises(InvalidCursorError):
        codec.decode("projects", cursor)
    with pytest.raises(InvalidCursorError):
        CursorCodec("z" * 40).decode("users", cursor)


def test_tokens_carry_their_key_id_and_survive_a_rotation() -> None:
    principal = Principal(7, 3, "client")
    old, new = "o" * 40, "n" * 40
    token = TokenService(old, 60).issue_access(principal)
    assert jwt.get_unverified_header(token)["kid"] == key_id(old)
    rotated = TokenService([new, old], 60)
    assert rotated.verify_access(token) == principal  # signed before the rotation
    assert jwt.get_unverified_header(rotated.issue_access(principal))["kid"] == key_id(new)
    # The verified-token cache belongs to one key set: a service without the old key refuses the
    # token that the rotated service has remembered.
    with pytest.raises(InvalidTokenError):
        TokenService(new, 60).verify_access(token)
    with pytest.raises(ValueError, match="at least one key"):
        TokenService([], 60)


def test_a_token_is_checked_against_the_key_its_kid_names() -> None:
    principal = Principal(7, 3, "client")
    a, b = "a" * 40, "b" * 40
    both = TokenService([a, b], 60)
    token = TokenService(b, 60).issue_access(principal)
    _, claims, signature = token.split(".")

    def header(fields: str) -> str:
        return jwt.utils.base64url_encode(f'{{"alg":"HS256","typ":"JWT"{fields}}}'.encode()).decode()

    # b's claims and signature, relabelled as signed by key a, or by no key: refused.
    for fields in (f',"kid":"{key_id(a)}"', ""):
        with pytest.raises(InvalidTokenError):
            both.verify_access(f"{header(fields)}.{claims}.{signature}")
    assert both.verify_access(token) == principal


def test_issuer_and_audience_are_checked() -> None:
    principal = Principal(7, 3, "client")
    token = TokenService("k" * 40, 60, issuer="other", audience="mercenary-api").issue_access(principal)
    with pytest.raises(InvalidTokenError):
        TokenService("k" * 40, 60).verify_access(token)
    token = TokenService("k" * 40, 60, audience="another-api").issue_access(principal)
    with pytest.raises(InvalidTokenError):
        TokenService("k" * 40, 60).verify_access(token)


def test_cursors_survive_a_rotation_until_the_old_key_goes() -> None:
    old, new = "o" * 40, "n" * 40
    cursor = CursorCodec(old).encode("users", [42])
    rotated = CursorCodec([new, old])
    assert rotated.decode("users", cursor) == [42]
    assert CursorCodec(new).decode("users", rotated.encode("users", [43])) == [43]
    with pytest.raises(InvalidCursorError):
        CursorCodec(new).decode("users", cursor)
