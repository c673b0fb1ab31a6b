"""Slow down repeated failures (wrong ticket codes, wrong passwords), shared via the database.

After `free` failures within the window, each further attempt must wait longer: 30 s, 60 s,
120 s ... up to 1 hour. The state is in the database, so it holds across processes and
restarts.

Keys are stored as their SHA-256 (fixed length, whatever the caller's key: a long session id
can never make an insert fail), and an attempt is counted *before* it is tried, with one atomic
UPDATE (no read-modify-write), so a failure is counted even if the process dies halfway.
Callers treat any database error as "wait": limits fail closed. `claim` checks the waits of
several keys and counts the attempt in one transaction, so attempts sent at once are decided
one after another.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from store.schema import attempts

WINDOW = timedelta(hours=1)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


def _id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


class Limit(NamedTuple):
    """One count an attempt must pass (`claim`, `wait_for`): `free` failures of `key` within the
    window, then each further attempt waits. With `when_failed`, the count holds an attempt
    back only while that other key has failures within the window itself."""

    key: str
    free: int
    when_failed: Optional[str] = None


def _wait(row: Any, free: int, now: datetime) -> int:
    if row is None or now - row.last_failure > WINDOW or row.failures < free:
        return 0
    delay = min(BASE_DELAY * 2 ** (row.failures - free), MAX_DELAY)
    remaining = (row.last_failure + delay - now).total_seconds()
    return max(0, int(remaining + 0.999))


def _recent(row: Any, now: datetime) -> int:
    return 0 if row is None or now - row.last_failure > WINDOW else row.failures


def _longest_wait(rows: Dict[str, Any], limits: Sequence[Limit], now: datetime) -> int:
    waits = [0]
    for limit in limits:
        if limit.when_failed is None or _recent(rows.get(_id(limit.when_failed)), now):
            waits.append(_wait(rows.get(_id(limit.key)), limit.free, now))
    return max(waits)


def _ids(limits: Sequence[Limit]) -> List[str]:
    keys = {limit.key for limit in limits} | {limit.when_failed for limit in limits if limit.when_failed}
    return sorted(_id(key) for key in keys)


def wait_seconds(engine: Engine, key: str, free: int, now: datetime) -> int:
    """Seconds to wait before the next attempt for this key may be tried (0: go ahead)."""
    with engine.connect() as connection:
        row = connection.execute(select(attempts).where(attempts.c.key == _id(key))).first()
    return _wait(row, free, now)


def wait_for(engine: Engine, limits: Sequence[Limit], now: datetime) -> int:
    """Seconds before an attempt may pass all these limits (0: now); counts nothing."""
    with engine.connect() as connection:
        found = connection.execute(select(attempts).where(attempts.c.key.in_(_ids(limits))))
        rows = {row.key: row for row in found}
    return _longest_wait(rows, limits, now)


def claim(engine: Engine, limits: Sequence[Limit], now: datetime) -> int:
    """Count one failure for every limit's key before the attempt is tried, unless one of the
    limits makes it wait: returns 0 when it was counted (go ahead; take it back with `reset` or
    `forgive` when it succeeds), else the seconds to wait (then nothing is counted).

    Checking and counting are one transaction that first locks the keys' rows (an UPDATE that
    changes nothing, in a fixed order: on SQLite it takes the write lock, on PostgreSQL the
    rows' locks), so of attempts sent at once each sees the ones before it counted. When two
    processes insert a key's first row at once, the claim runs again."""
    ids = _ids(limits)
    counted = {_id(limit.key) for limit in limits}
    for _ in range(3):
        try:
            with engine.begin() as connection:
                for key_id in ids:
                    connection.execute(
                        update(attempts).where(attempts.c.key == key_id).values(failures=attempts.c.failures)
                    )
                found = connection.execute(select(attempts).where(attempts.c.key.in_(ids)))
                rows = {row.key: row for row in found}
                wait = _longest_wait(rows, limits, now)
                if wait:
                    return wait
                for key_id in sorted(counted):
                    row = rows.get(key_id)
                    if row is None:
                        connection.execute(insert(attempts).values(key=key_id, failures=1, last_failure=now))
                    else:
                        failures = 1 if now - row.last_failure > WINDOW else row.failures + 1
                        connection.execute(
                            update(attempts)
                            .where(attempts.c.key == key_id)
                            .values(failures=failures, last_failure=now)
                        )
                return 0
        except IntegrityError:
            continue
    raise RuntimeError("could not count an attempt")


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
