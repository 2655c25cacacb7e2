"""The shared MetaData (with a naming convention, so migrations name constraints the same on
both dialects) and the column types every domain uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# Ids are 64-bit identities on both dialects: the largest one a client may name.
MAX_ID = 2**63 - 1

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the dialect stores."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        # SQLite stores text without an offset: store UTC wall time.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def id_column() -> sa.Column[int]:
    """A BIGINT identity primary key (an INTEGER rowid alias on SQLite)."""
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(), primary_key=True
    )


def fk_column(
    name: str, target: str, *, nullable: bool = False, ondelete: str = "CASCADE", primary_key: bool = False
) -> sa.Column[int]:
    """A BIGINT foreign key column (part of the primary key for link tables and 1:1 extensions)."""
    return sa.Column(
        name,
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        sa.ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        primary_key=primary_key,
    )


def created_at_column() -> sa.Column[datetime]:
    """A creation timestamp set by the application (UTC)."""
    return sa.Column("created_at", UTCDateTime(), nullable=False)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def one_of(column: str, choices: Any) -> sa.CheckConstraint:
    """A CHECK that ``column`` holds one of a ``Literal`` type's values (the type is the one spelling
    of the rule: schemas validate with it, the database enforces it), named after the column."""
    values = ", ".join(f"'{v}'" for v in get_args(choices))
    return sa.CheckConstraint(f"{column} IN ({values})", name=column)
