"""Field selection (API-3): ``?fields=id,name`` keeps only the named top-level fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mercenary.web.errors import UnknownFieldError


def parse_fields(raw: str | None, allowed: Iterable[str]) -> frozenset[str] | None:
    """The requested field set, or None for all fields. Unknown names are a 422 listing the allowed ones."""
    if raw is None or not raw.strip():
        return None
    wanted = frozenset(f.strip() for f in raw.split(",") if f.strip())
    allowed_set = frozenset(allowed)
    unknown = sorted(wanted - allowed_set)
    if unknown:
        raise UnknownFieldError(
            f"Unknown field(s): {', '.join(unknown)}.", unknown=unknown, allowed=sorted(allowed_set)
        )
    return wanted


def select_fields(item: dict[str, Any], fields: frozenset[str] | None) -> dict[str, Any]:
    """``item`` cut down to ``fields`` (all of it when None)."""
    if fields is None:
        return item
    return {k: v for k, v in item.items() if k in fields}
