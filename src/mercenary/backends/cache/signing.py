"""The signature on every value the cache stores in Redis: HMAC-SHA256 only, with key rotation.

Values travel to Redis pickled, so a value that someone else wrote into Redis must never be
unpickled (that would run their code in the API). cashews signs each value with its key, but its
signer lets the stored value name the algorithm it was signed with, weak ones included: ``sum``
(the sum of the secret's bytes plus the value's, a few thousand possible answers) and ``md5``. A
writer to Redis could pick ``sum`` and guess. :class:`PinnedSigner` accepts SHA-256 alone.

It also verifies with older keys (``SECRET_KEYS_OLD``), so after a key rotation the entries written
before it are still read instead of failing (each failure would send the request to the database and
bypass the cache for a second, for as long as the old entries live). It signs with the current key.
The stored format is cashews' (``sha256:<hex>_<value>``), so entries written before this signer are
read as they are.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from cashews.exceptions import SignIsMissingError, UnSecureDataError
from cashews.serialize import Signer

PREFIX = b"sha256:"


class PinnedSigner(Signer):
    """Signs with ``keys[0]``; accepts an HMAC-SHA256 under any of ``keys`` and nothing else."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a signer needs at least one key")
        self._keys = [k.encode() for k in keys]

    @staticmethod
    def _mac(secret: bytes, key: str, value: bytes) -> bytes:
        return hmac.new(secret, key.encode() + value, hashlib.sha256).hexdigest().encode()

    def sign(self, key: str, value: bytes) -> bytes:
        return PREFIX + self._mac(self._keys[0], key, value) + b"_" + value

    def check_sign(self, key: str, value: bytes) -> bytes:
        sign, sep, body = value.partition(b"_")
        if not sep:
            raise SignIsMissingError(f"key: {key}")
        if not sign.startswith(PREFIX):
            raise UnSecureDataError(f"key: {key}: not signed with HMAC-SHA256")
        mac = sign[len(PREFIX) :]
        if not any(hmac.compare_digest(mac, self._mac(secret, key, body)) for secret in self._keys):
            raise UnSecureDataError(f"key: {key}: bad signature")
        return body
