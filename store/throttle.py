"""Slow down repeated failures (wrong ticket codes, wrong passwords), shared via the database.

After `free` failures within the window, each further attempt must wait longer: 30 s, 60 s,
120 s ... up to 1 hour. The state is in the database, so it holds across processes and
restarts.

Keys are stored as their SHA-256 (fixed length, whatever the caller's key: a long session id
can never make an insert fail), and an attempt is counted *before* it is tried, with one atomic
UPDATE (no read-modify-write), so a failure is counted even if the process dies halfway.
Callers treat any database error as "wait": limits fail closed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from store.schema import attempts

WINDOW = timedelta(hours=1)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


def _id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def wait_seconds(engine: Engine, key: str, free: int, now: datetime) -> int:
    """Seconds to wait before the next attempt for this key may be tried (0: go ahead)."""
    with engine.connect() as connection:
        row = connection.execute(select(attempts).where(attempts.c.key == _id(key))).first()
    if row is None or now - row.last_failure > WINDOW or row.failures < free:
        return 0
    delay = min(BASE_DELAY * 2 ** (row.failures - free), MAX_DELAY)
    remaining = (row.last_failure + delay - now).total_seconds()
    return max(0, int(remaining + 0.999))


def recent_failures(engine: Engine, key: str, now: datetime) -> int:
    """How many failures this key has within the window (0: none lately)."""
    with engine.connect() as connection:
        row = connection.execute(select(attempts).where(attempts.c.key == _id(key))).first()
    return 0 if row is None or now - row.last_failure > WINDOW else row.failures


def record_failure(engine: Engine, key: str, now: datetime) -> int:
    """Count one failure (atomically); returns the count within the window."""
    fresh = now - WINDOW
    return _count(
        engine,
        _id(key),
        now,
        failures=case((attempts.c.last_failure < fresh, 1), else_=attempts.c.failures + 1),
        last_failure=now,
    )


def _count(engine: Engine, key_id: str, now: datetime, failures: Any, last_failure: Any) -> int:
    """Update a key's row with these expressions, or insert it with a count of 1, atomically;
    returns the count. A first insert may race with another process's: then update again."""
    for _ in range(3):
        with engine.begin() as connection:
            updated = connection.execute(
                update(attempts)
                .where(attempts.c.key == key_id)
                .values(failures=failures, last_failure=last_failure)
            )
            if updated.rowcount:
                return connection.execute(
                    select(attempts.c.failures).where(attempts.c.key == key_id)
                ).scalar_one()
        try:
            with engine.begin() as connection:
                connection.execute(insert(attempts).values(key=key_id, failures=1, last_failure=now))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not count an attempt")


def forgive(engine: Engine, key: str) -> None:
    """Take back one counted attempt (it turned out to succeed), atomically."""
    with engine.begin() as connection:
        connection.execute(
            update(attempts)
            .where(attempts.c.key == _id(key), attempts.c.failures > 0)
            .values(failures=attempts.c.failures - 1)
        )


def reset(engine: Engine, key: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(attempts).where(attempts.c.key == _id(key)))


def count_in_window(engine: Engine, key: str, now: datetime, window: timedelta = WINDOW) -> int:
    """Count one event in a fixed window that starts with the first event after the last window
    ended; returns the count within the current window (atomically, like `record_failure`).

    For caps ("at most N an hour") rather than slowing down failures: `record_failure`'s window
    moves with every attempt, so a steady stream would keep a cap closed for good; this one
    opens again `window` after it started. The row's `last_failure` holds the window's start."""
    ended = now - window
    return _count(
        engine,
        _id(key),
        now,
        failures=case((attempts.c.last_failure <= ended, 1), else_=attempts.c.failures + 1),
        last_failure=case((attempts.c.last_failure <= ended, now), else_=attempts.c.last_failure),
    )
