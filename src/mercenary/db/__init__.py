"""Storage: SQLAlchemy Core defines the schema and builds statements; drivers run them.

Hot statements are compiled once per dialect (:class:`Query`) and run on the driver's own pool
(asyncpg for PostgreSQL, aiosqlite for SQLite), so a request pays the driver's cost and little more.
"""

from mercenary.db.base import (
    Connection,
    Database,
    DatabaseBusyError,
    Executor,
    IntegrityError,
    Row,
    is_busy,
    is_transient,
    is_unavailable,
)
from mercenary.db.query import Query
from mercenary.db.retry import run_transaction
from mercenary.db.urls import open_database

__all__ = [
    "Connection",
    "Database",
    "DatabaseBusyError",
    "Executor",
    "IntegrityError",
    "Query",
    "Row",
    "is_busy",
    "is_transient",
    "is_unavailable",
    "open_database",
    "run_transaction",
]
