"""Slow down repeated failures (wrong ticket codes, wrong passwords), shared via the database.

After `free` failures within the window, each further attempt must wait longer: 30 s, 60 s,
120 s ... up to 1 hour. The state is in the database, so it holds across processes and
restarts.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from store.schema import attempts

WINDOW = timedelta(hours=1)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


def wait_seconds(engine: Engine, key: str, free: int, now: datetime) -> int:
    """Seconds to wait before the next attempt for this key may be tried (0: go ahead)."""
    with engine.connect() as connection:
        row = connection.execute(select(attempts).where(attempts.c.key == key)).first()
    if row is None or now - row.last_failure > WINDOW or row.failures < free:
        return 0
    delay = min(BASE_DELAY * 2 ** (row.failures - free), MAX_DELAY)
    remaining = (row.last_failure + delay - now).total_seconds()
    return max(0, int(remaining + 0.999))


def record_failure(engine: Engine, key: str, now: datetime) -> None:
    with engine.begin() as connection:
        row = connection.execute(select(attempts).where(attempts.c.key == key)).first()
        if row is None:
            connection.execute(insert(attempts).values(key=key, failures=1, last_failure=now))
        else:
            failures = 1 if now - row.last_failure > WINDOW else row.failures + 1
            connection.execute(update(attempts).where(attempts.c.key == key)
                               .values(failures=failures, last_failure=now))


def reset(engine: Engine, key: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(attempts).where(attempts.c.key == key))
