"""Keyset pages (API-2) as services see them: where a page starts and how long it is, no cursors.

A list is ordered by a key of columns that ends with a unique id (``(id,)``, or ``(rank, id)`` for a
search). A page asks for the rows after the key of the last row served, one more than it returns:
that extra row says whether there is a next page without a count. The web layer turns the key into
an opaque signed cursor and back; services and statements only see the plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mercenary.db.base import Row
from mercenary.db.metadata import MAX_ID


@dataclass(frozen=True, slots=True)
class Slice:
    """One page of rows and the key the next page starts after (None on the last page)."""

    items: list[Row]
    next_after: tuple[Any, ...] | None

    @property
    def has_more(self) -> bool:
        """Whether a next page exists."""
        return self.next_after is not None


@dataclass(frozen=True, slots=True)
class Keyset:
    """Up to ``limit`` rows after the key ``after`` (the first page when None)."""

    after: tuple[Any, ...] | None
    limit: int

    @property
    def fetch(self) -> int:
        """How many rows to fetch: ``limit + 1``, the extra one telling whether a next page exists."""
        return self.limit + 1

    def id_above(self) -> int:
        """Oldest-first lists: the id this page starts above (0 on the first page)."""
        return 0 if self.after is None else int(self.after[-1])

    def id_below(self) -> int:
        """Newest-first lists: the id this page starts below (past every id on the first page)."""
        return MAX_ID if self.after is None else int(self.after[-1])

    def cut(self, rows: list[Row], key: Sequence[str]) -> Slice:
        """``rows`` (fetched with :attr:`fetch`) cut to the page, with the ``key`` columns of its last row."""
        if len(rows) <= self.limit:
            return Slice(rows, None)
        items = rows[: self.limit]
        return Slice(items, tuple(items[-1][k] for k in key))
