"""Static assets with content-hashed names (FE-3): ``site.css`` is served as
``/static/site.<hash>.css``, where the hash is the first 12 hex digits of its SHA-256, so a changed
file gets a new URL and an unchanged one can be kept for a year without revalidation.

The files are read once, at import (a few KB), and served from memory; the delivery layer gzips
them (and remembers the gzip body, the bytes being the same object every time).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).parent / "static"
PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}


@dataclass(frozen=True, slots=True)
class Asset:
    """One static file: its hashed URL, media type and bytes."""

    url: str
    media_type: str
    body: bytes


def hashed_name(path: Path, body: bytes) -> str:
    """``name.<first 12 hex digits of SHA-256>.ext``."""
    return f"{path.stem}.{hashlib.sha256(body).hexdigest()[:12]}{path.suffix}"


def _load() -> tuple[dict[str, Asset], dict[str, Asset]]:
    by_name: dict[str, Asset] = {}
    by_hashed: dict[str, Asset] = {}
    for path in sorted(STATIC.iterdir()):
        if path.suffix not in TYPES:
            continue
        body = path.read_bytes()
        hashed = hashed_name(path, body)
        asset = Asset(PREFIX + hashed, TYPES[path.suffix], body)
        by_name[path.name] = by_hashed[hashed] = asset
    return by_name, by_hashed


BY_NAME, BY_HASHED = _load()


def url(name: str) -> str:
    """The hashed URL of the static file ``name`` (``site.css``); KeyError for an unknown one, so a
    template naming a missing file fails its first render (and the tests)."""
    return BY_NAME[name].url


def find(hashed: str) -> Asset | None:
    """The asset served at ``/static/<hashed>``, if any (an old hash is gone: 404)."""
    return BY_HASHED.get(hashed)
