"""Breakers that live in worker processes, shown by the API (RES-3).

The mail breaker is in each worker, but ``/ready`` and ``breaker_state`` are served by the API.
A worker writes its breaker's state to ``breaker_states`` when it changes (rarely: when the
backend fails or recovers, never per call), and the API reads the rows when asked. ``open_until``
lets a reader tell, as :meth:`CircuitBreaker.level` does, an open breaker from one due for its probe.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from mercenary.backends.breaker import HALF_OPEN, OPEN, STATE_NAMES, CircuitBreaker
from mercenary.db import Database, IntegrityError
from mercenary.db.metadata import UTCDateTime, metadata, utcnow

breaker_states = sa.Table(
    "breaker_states",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("state", sa.SmallInteger(), nullable=False),
    sa.Column("opened", sa.Integer(), nullable=False),
    sa.Column("open_until", UTCDateTime(), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

_update = sa.update(breaker_states).where(breaker_states.c.name == sa.bindparam("b_name"))
_insert = sa.insert(breaker_states)
_read = sa.select(breaker_states).order_by(breaker_states.c.name)


async def save(db: Database, breaker: CircuitBreaker, open_s: float) -> None:
    """Record ``breaker``'s state (after a change). Workers share one row per breaker name: the last
    change wins, which is the freshest news about the backend they share."""
    now = utcnow()
    values: dict[str, Any] = {
        "state": breaker.state,
        "opened": breaker.opened,
        "open_until": now + timedelta(seconds=open_s) if breaker.state == OPEN else None,
        "updated_at": now,
    }
    if await db.execute(_update.values(**values), b_name=breaker.name):
        return
    try:
        await db.execute(_insert.values(name=breaker.name, **values))
    except IntegrityError:  # another worker wrote the first row meanwhile
        await db.execute(_update.values(**values), b_name=breaker.name)


def _level(row: Any, now: datetime) -> int:
    state = int(row["state"])
    if state == OPEN and row["open_until"] is not None and now >= row["open_until"]:
        return HALF_OPEN  # open long enough: the next job is the probe
    return state


async def load(db: Database) -> dict[str, dict[str, Any]]:
    """Every recorded breaker: ``{name: {"state": "closed", "level": 0, "opened": n}}``."""
    now = utcnow()
    found: dict[str, dict[str, Any]] = {}
    for row in await db.fetch_all(_read):
        level = _level(row, now)
        found[row["name"]] = {"state": STATE_NAMES[level], "level": level, "opened": int(row["opened"])}
    return found
