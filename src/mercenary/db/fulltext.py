"""The one place that knows how each dialect does full-text search.

PostgreSQL: a generated, weighted ``search_vector`` (tsvector) with a GIN index, matched with
``plainto_tsquery`` and ranked with ``ts_rank_cd``. SQLite: an external-content FTS5 table
(``fts_<name>``) kept in step by triggers, matched with ``MATCH`` and ranked with ``bm25``. Both are
created by the migrations. Callers get a join target, a WHERE clause and a rank expression
(higher is better) and build the rest of the statement with SQLAlchemy as usual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from mercenary.errors import EmptySearchError

MAX_TERMS = 16
_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)


@dataclass(frozen=True)
class SearchTarget:
    """A searchable table: its key column and, on SQLite, the name of its FTS5 table."""

    table: sa.Table
    key: str
    fts_table: str


@dataclass(frozen=True)
class TextMatch:
    """What a statement needs to filter and order by a text query."""

    source: FromClause  # the table to select from (joined to the FTS5 table on SQLite)
    where: ColumnElement[bool]
    rank: ColumnElement[float]  # higher is more relevant


def terms(text: str) -> list[str]:
    """The words (two letters or more) of a user's query, lower-cased, at most ``MAX_TERMS``.
    Operators are not honoured, so user text can never be a syntax error."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        raise EmptySearchError("The search text has no words to look for.")
    return words[:MAX_TERMS]


SEARCH_PARAM = "search_text"


class SearchText(sa.types.TypeDecorator[list[str]]):
    """The bind type of the search words: each dialect gets them in the form its matcher reads, so
    callers bind the same value (:func:`terms` of the user's text) whatever the database."""

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return " ".join(value)
        # Each word quoted: FTS5 reads them as plain terms, implicitly AND-ed.
        return " ".join(f'"{w}"' for w in value)


def text_match(dialect_name: str, target: SearchTarget) -> TextMatch:
    """Every word of the search text must match, stemmed; rank by relevance. The words are the
    parameter ``search_text`` (bind :func:`terms` of the user's text), so statements built on this
    compile once per shape. Call it from a :class:`~mercenary.db.Query` builder, which passes the
    dialect's name."""
    text = sa.bindparam(SEARCH_PARAM, type_=SearchText())
    key = target.table.c[target.key]
    if dialect_name == "postgresql":
        vector: ColumnElement[Any] = sa.literal_column(f"{target.table.name}.search_vector")
        query = sa.func.plainto_tsquery(sa.literal_column("'english'"), text)
        return TextMatch(
            source=target.table,
            where=vector.op("@@")(query),
            rank=sa.func.ts_rank_cd(vector, query),
        )
    fts = sa.table(target.fts_table, sa.column("rowid"))
    return TextMatch(
        source=target.table.join(fts, fts.c.rowid == key),
        where=sa.literal_column(target.fts_table).op("MATCH")(text),
        # bm25() is lower-is-better; negate it so both dialects sort by rank descending. The first
        # column (title, headline) weighs 2.5x the second, as PostgreSQL's weights A (1.0) and B (0.4).
        rank=-sa.func.bm25(
            sa.literal_column(target.fts_table), sa.literal_column("2.5"), sa.literal_column("1.0")
        ),
    )
