"""Which staff members are available for live chat now (issue 25, "Beschikbaar voor chat").

A staff member switches themselves on in the staff app; that makes a row in `staff_presence`.
The row counts only while it is true in fact, checked on every read rather than cleaned up by
a timer (no process has to run for presence to expire):

- the member still has a live session (`staff_sessions`, not expired; logging out also
  removes the row), and the account is not disabled;
- the staff app was used within `settings.LIVE_IDLE_MINUTES` (`last_seen`, refreshed by every
  authenticated page request through `touch`);
- the role is `medewerker` (analysts do not chat), and the account sees the region asked for
  (`staff.regions`, read with store.accounts.parse_regions).

Times are the naive UTC of the database (steunpunt/clock.py); `now` is passed in so tests
and callers decide the moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from steunpunt import settings
from store import audit
from store.accounts import parse_regions
from store.schema import ROLES, staff, staff_presence, staff_sessions

STAFF_ROLE = ROLES[0]


def set_available(engine: Engine, staff_id: int, on: bool, now: datetime) -> bool:
    """Switch a staff member on or off for live chat; audited. Returns the new state."""
    with engine.begin() as connection:
        connection.execute(delete(staff_presence).where(staff_presence.c.staff_id == staff_id))
        if on:
            connection.execute(insert(staff_presence).values(staff_id=staff_id, since=now, last_seen=now))
        audit.write(
            connection, staff_id, "beschikbaar voor chat" if on else "niet beschikbaar voor chat", "", now
        )
    return on


def touch(engine: Engine, staff_id: int, now: datetime, idle_minutes: Optional[int] = None) -> None:
    """The staff member used the staff app: not idle (a no-op when they are not switched on).

    Presence that already went idle is removed, not revived: a member who comes back to the
    staff app after a break chooses again to be available."""
    with engine.begin() as connection:
        mine = staff_presence.c.staff_id == staff_id
        connection.execute(
            delete(staff_presence).where(mine, staff_presence.c.last_seen < _idle_limit(now, idle_minutes))
        )
        connection.execute(update(staff_presence).where(mine).values(last_seen=now))


def remove(engine: Engine, staff_id: int) -> None:
    """Logged out: no longer available (not audited: the logout is the event)."""
    with engine.begin() as connection:
        connection.execute(delete(staff_presence).where(staff_presence.c.staff_id == staff_id))


def _idle_limit(now: datetime, idle_minutes: Optional[int]) -> datetime:
    minutes = settings.LIVE_IDLE_MINUTES if idle_minutes is None else idle_minutes
    return now - timedelta(minutes=minutes)


def available_staff(
    engine: Engine, region: str, now: datetime, idle_minutes: Optional[int] = None
) -> List[int]:
    """Ids of the staff members available for live chat in `region` at `now`."""
    live_session = (
        select(staff_sessions.c.staff_id)
        .where(staff_sessions.c.staff_id == staff_presence.c.staff_id, staff_sessions.c.expires_at > now)
        .exists()
    )
    query = (
        select(staff_presence.c.staff_id, staff.c.regions)
        .select_from(staff_presence.join(staff, staff_presence.c.staff_id == staff.c.id))
        .where(
            staff.c.role == STAFF_ROLE,
            staff.c.disabled_at.is_(None),
            staff_presence.c.last_seen >= _idle_limit(now, idle_minutes),
            live_session,
        )
        .order_by(staff_presence.c.staff_id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    result = []
    for row in rows:
        regions = parse_regions(row.regions)
        if regions is None or region in regions:
            result.append(row.staff_id)
    return result


def is_available(engine: Engine, staff_id: int, now: datetime, idle_minutes: Optional[int] = None) -> bool:
    """Whether this member's own switch is on and still counts (for the staff app's control):
    switched on, not idle and with a live session."""
    live_session = (
        select(staff_sessions.c.staff_id)
        .where(staff_sessions.c.staff_id == staff_id, staff_sessions.c.expires_at > now)
        .exists()
    )
    with engine.connect() as connection:
        row = connection.execute(
            select(staff_presence.c.staff_id).where(
                staff_presence.c.staff_id == staff_id,
                staff_presence.c.last_seen >= _idle_limit(now, idle_minutes),
                live_session,
            )
        ).first()
    return row is not None
