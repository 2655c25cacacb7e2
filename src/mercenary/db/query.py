"""Statements compiled once per dialect into the driver's SQL, with SQLAlchemy's own type processors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Compiled:
    """One statement's SQL for one dialect, its positional parameters and its result shape."""

    sql: str
    param_names: tuple[str, ...]
    param_defaults: Mapping[str, Any]
    bind_processors: tuple[Processor, ...]
    columns: tuple[str, ...]
    result_processors: tuple[Processor, ...]
    has_result_processors: bool
    # Set when the statement has expanding ``IN`` parameters: their placeholders depend on each
    # call's list lengths, so SQLAlchemy's compiled form renders them per call (cheaply; no recompile).
    expander: SQLCompiler | None = None


def compile_statement(stmt: ClauseElement, dialect: Dialect) -> Compiled:
    """Compile ``stmt`` for ``dialect`` once; the result is reused for every execution."""
    compiled = cast(SQLCompiler, stmt.compile(dialect=dialect))
    names = tuple(compiled.positiontup or ())
    defaults: dict[str, Any] = {}
    binds: list[Processor] = []
    for name in names:
        bind = compiled.binds[name]
        if bind.value is not None or not bind.required:
            defaults[name] = bind.effective_value
        binds.append(bind.type.dialect_impl(dialect).bind_processor(dialect))
    columns: tuple[str, ...] = ()
    results: tuple[Processor, ...] = ()
    exported = getattr(stmt, "exported_columns", None)
    if exported:  # a SELECT's columns, or a DML statement's RETURNING list
        columns = tuple(c.key for c in exported)
        results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in exported)
    expanding = any(b.expanding for b in compiled.binds.values())
    return Compiled(
        expander=compiled if expanding else None,
        sql=compiled.string,
        param_names=names,
        param_defaults=defaults,
        bind_processors=tuple(binds),
        columns=columns,
        result_processors=results,
        has_result_processors=any(p is not None for p in results),
    )


Builder = Callable[[str], ClauseElement]


class Query:
    """A named statement with ``bindparam`` placeholders, compiled lazily per dialect and cached.

    Build queries at import time (module constants) so they compile once per process::

        GET_USER = Query("users.get", sa.select(users).where(users.c.id == sa.bindparam("id")))
        row = await db.fetch_one(GET_USER, id=5)

    Where the SQL itself differs by dialect (full-text search, :mod:`mercenary.db.fulltext`), pass a
    builder that takes the dialect's name instead of a statement: callers still run one ``Query``
    and never look at the dialect.
    """

    __slots__ = ("_compiled", "name", "statement")

    def __init__(self, name: str, statement: ClauseElement | Builder) -> None:
        self.name = name
        self.statement = statement
        self._compiled: dict[str, Compiled] = {}

    def compiled(self, dialect: Dialect) -> Compiled:
        """The statement compiled for ``dialect`` (cached by dialect name)."""
        key = dialect.name
        found = self._compiled.get(key)
        if found is None:
            stmt = self.statement if isinstance(self.statement, ClauseElement) else self.statement(key)
            found = self._compiled[key] = compile_statement(stmt, dialect)
        return found

    def __repr__(self) -> str:
        return f"Query({self.name!r})"


def bind_args(compiled: Compiled, params: Mapping[str, Any]) -> list[Any]:
    """Order and convert keyword parameters into the driver's positional arguments."""
    args: list[Any] = []
    defaults = compiled.param_defaults
    for name, proc in zip(compiled.param_names, compiled.bind_processors, strict=True):
        try:
            value = params[name]
        except KeyError:
            if name not in defaults:
                raise TypeError(f"missing query parameter {name!r}") from None
            value = defaults[name]
        args.append(value if proc is None or value is None else proc(value))
    return args


def shape_row(compiled: Compiled, values: Any) -> dict[str, Any]:
    """Turn a driver row (a sequence of values) into a dict keyed by column, applying type processors."""
    if not compiled.has_result_processors:
        return dict(zip(compiled.columns, values, strict=True))
    return {
        name: (v if proc is None or v is None else proc(v))
        for name, proc, v in zip(compiled.columns, compiled.result_processors, values, strict=True)
    }


def _expanded_args(compiled: SQLCompiler, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    state = compiled.construct_expanded_state(dict(params))
    procs = state.processors
    args = []
    for name in state.positiontup or ():
        value, proc = state.parameters[name], procs.get(name)
        args.append(value if proc is None or value is None else proc(value))
    return state.statement, args


def prepare(
    query: Query | ClauseElement, dialect: Dialect, params: Mapping[str, Any]
) -> tuple[Compiled, str, list[Any]]:
    """The compiled form, the SQL and the positional arguments for one execution.

    A :class:`Query` is compiled once per dialect (expanding ``IN`` lists are rendered per call from
    that compiled form). A bare statement is compiled on every call: keep those off hot paths.
    """
    if isinstance(query, Query):
        compiled = query.compiled(dialect)
        if compiled.expander is not None:
            return (compiled, *_expanded_args(compiled.expander, params))
        return compiled, compiled.sql, bind_args(compiled, params)
    compiled = compile_statement(query, dialect)
    if compiled.expander is not None:
        return (compiled, *_expanded_args(compiled.expander, params))
    return compiled, compiled.sql, bind_args(compiled, params)
