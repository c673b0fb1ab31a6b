"""The one clock of the product: what time and which day it is, in the steunpunt's time zone.

Why one home: "today" decides whether an answer is past its review date, which day a signal
or a ticket belongs to, and which report period is asked for. Decided in five places it was
decided five ways (the machine's date, UTC, local). Here:

- `now()` is the naive UTC time the databases store (every row is stamped in UTC);
- `today()` is the calendar day in `settings.TIMEZONE` (Europe/Amsterdam): the day staff,
  editors and the review dates think of;
- `day_start` / `day_range` turn local days into the UTC stamps the database compares.

Tests and the servers they start never depend on the real date: `STEUNPUNT_FROZEN_NOW`
(an ISO time in UTC, e.g. `2026-06-01T10:00:00`) freezes the clock of a whole process, and
`frozen(...)` does the same inside one test.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Iterator, Optional, Tuple
from zoneinfo import ZoneInfo

from steunpunt import settings

#: Dutch month names, for dates shown to readers and for reading a period ("maart 2026").
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

_frozen: Optional[datetime] = None


def _env_frozen() -> Optional[datetime]:
    value = os.environ.get("STEUNPUNT_FROZEN_NOW")
    if not value:
        return None
    stamp = datetime.fromisoformat(value)
    return stamp.astimezone(timezone.utc).replace(tzinfo=None) if stamp.tzinfo else stamp


def now() -> datetime:
    """The current time as naive UTC, to the second (what the database stores)."""
    frozen = _frozen or _env_frozen()
    return (frozen or datetime.utcnow()).replace(microsecond=0)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIMEZONE)


def local_now() -> datetime:
    """The current time in the steunpunt's time zone (aware)."""
    return now().replace(tzinfo=timezone.utc).astimezone(zone())


def today() -> date:
    """Today in the steunpunt's time zone: the day staff think of, and review dates count in."""
    return local_now().date()


def to_local(stamp: datetime) -> datetime:
    """A naive UTC time from the database, in the steunpunt's time zone (for showing it)."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(zone())


def day_start(day: date) -> datetime:
    """When a local calendar day begins, as the naive UTC time the database stores."""
    local = datetime.combine(day, datetime.min.time(), tzinfo=zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def day_range(since: Optional[date], until: Optional[date]) -> Tuple[Optional[datetime], Optional[datetime]]:
    """Whole local days since..until (inclusive) as [start, end) UTC datetimes; None stays
    open. A question asked at 00:30 on 1 December in Utrecht (23:30 UTC the day before)
    belongs to 1 December."""
    start = day_start(since) if since else None
    end = day_start(until + timedelta(days=1)) if until else None
    return start, end


def dutch_date(day: date) -> str:
    """24 november 2026: the way a Dutch reader expects a date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def minutes_seconds(seconds: float) -> str:
    """A duration as staff read a wait: "2:05" (minutes:seconds), "1:02:05" past an hour."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Freeze this process's clock at `at` (naive UTC) for the duration of a block."""
    global _frozen
    before, _frozen = _frozen, at.replace(microsecond=0)
    try:
        yield
    finally:
        _frozen = before
