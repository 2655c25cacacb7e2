"""The one place that knows how each dialect does full-text search.

PostgreSQL: a generated, weighted ``search_vector`` (tsvector) with a GIN index, matched with
``plainto_tsquery`` and ranked with ``ts_rank_cd``. SQLite: an external-content FTS5 table
(``fts_<name>``) kept in step by triggers, matched with ``MATCH`` and ranked with ``bm25``. Both are
created by the migrations. Callers get a join target, a WHERE clause and a rank expression
(higher is better) and build the rest of the statement with SQLAlchemy as usual; or, for a page of
the best matches, :func:`ranked_candidates`, which ranks a bounded set of them.

An index may hold only the rows a search can return (:attr:`SearchTarget.partial`). It is then a
table of its own on both dialects, kept in step by triggers: on SQLite the FTS5 table, on PostgreSQL
a narrow table of the key and its ``search_vector`` with a GIN index. A statement reads it alone:
nothing of the searched table is read before the matches are ranked and cut to a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Subquery

from mercenary.errors import EmptySearchError

MAX_TERMS = 16
_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)


@dataclass(frozen=True)
class SearchTarget:
    """A searchable table: its key column and the name of its index table (``fts_table``: the FTS5
    table on SQLite; with ``partial``, on PostgreSQL too, a table of the key and ``search_vector``).
    ``partial``: the index holds only the rows this search can return (the migrations say which)."""

    table: sa.Table
    key: str
    fts_table: str
    partial: bool = False


@dataclass(frozen=True, eq=False)
class TextMatch:
    """What a statement needs to filter and order by a text query."""

    source: FromClause  # what to select from: the index alone when partial, else the table (joined)
    key: ColumnElement[Any]  # the matched row's key as ``source`` has it
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


def _search_text() -> sa.BindParameter[list[str]]:
    return sa.bindparam(SEARCH_PARAM, type_=SearchText())


def _pg_query() -> ColumnElement[Any]:
    return sa.func.plainto_tsquery(sa.literal_column("'english'"), _search_text())


def _pg_vector(target: SearchTarget) -> tuple[FromClause, ColumnElement[Any], ColumnElement[Any]]:
    """PostgreSQL: what to read, the key and the tsvector."""
    if target.partial:
        index = sa.table(target.fts_table, sa.column(target.key), sa.column("search_vector"))
        return index, index.c[target.key], index.c.search_vector
    return target.table, target.table.c[target.key], sa.literal_column(f"{target.table.name}.search_vector")


def text_match(dialect_name: str, target: SearchTarget) -> TextMatch:
    """Every word of the search text must match, stemmed; rank by relevance. The words are the
    parameter ``search_text`` (bind :func:`terms` of the user's text), so statements built on this
    compile once per shape. Call it from a :class:`~mercenary.db.Query` builder, which passes the
    dialect's name. With a ``partial`` target, ``source`` is the index alone: filters may use ``key``
    but no other column of the table."""
    if dialect_name == "postgresql":
        source, key, vector = _pg_vector(target)
        query = _pg_query()
        return TextMatch(source, key, vector.op("@@")(query), sa.func.ts_rank_cd(vector, query))
    fts = sa.table(target.fts_table, sa.column("rowid"))
    name: ColumnElement[Any] = sa.literal_column(target.fts_table)
    return TextMatch(
        source=fts if target.partial else target.table.join(fts, fts.c.rowid == target.table.c[target.key]),
        key=fts.c.rowid,
        where=name.op("MATCH")(_search_text()),
        # bm25() is lower-is-better; negate it so both dialects sort by rank descending. The first
        # column (title, headline) weighs 2.5x the second, as PostgreSQL's weights A (1.0) and B (0.4).
        rank=-sa.func.bm25(name, sa.literal_column("2.5"), sa.literal_column("1.0")),
    )


def ranked_candidates(
    dialect_name: str,
    target: SearchTarget,
    where: Callable[[ColumnElement[Any]], Sequence[ColumnElement[bool]]],
    size: int,
) -> Subquery:
    """The ``size`` newest matches (highest keys) that also satisfy ``where(key)``, each with its
    rank: a subquery of ``id`` (the key) and ``rank``. Only these rows are ranked, so a page costs at
    most ``size`` rank computations however many rows match; older matches are not found.

    The rank is computed above the cut: SQLite's FTS5 walks its matches newest first and stops after
    ``size`` (bm25 is evaluated for those only); PostgreSQL would evaluate a rank in the same SELECT
    list as the ``ORDER BY key LIMIT size`` for every match before sorting, so the vector is carried
    out of the cut and ranked one level up."""
    # A literal LIMIT: the planner sees how many rows the cut keeps.
    cut: ColumnElement[int] = sa.literal_column(str(int(size)))
    if dialect_name == "postgresql":
        source, key, vector = _pg_vector(target)
        newest = (
            sa.select(key.label("id"), vector.label("vector"))
            .select_from(source)
            .where(vector.op("@@")(_pg_query()), *where(key))
            .order_by(key.desc())
            .limit(cut)
            .subquery("newest")
        )
        rank = sa.func.ts_rank_cd(newest.c.vector, _pg_query())
        return sa.select(newest.c.id, rank.label("rank")).subquery("candidates")
    match = text_match(dialect_name, target)
    return (
        sa.select(match.key.label("id"), match.rank.label("rank"))
        .select_from(match.source)
        .where(match.where, *where(match.key))
        .order_by(match.key.desc())
        .limit(cut)
        .subquery("candidates")
    )
