"""A reporting period: a quarter ("2026-Q4"), a month ("2026-11"), a year, or two dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from steunpunt import clock


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # inclusive
    name: str

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip().upper()
        if match := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            year, quarter = int(match.group(1)), int(match.group(2))
            start = date(year, 3 * quarter - 2, 1)
            return cls(start, _month_end(year, 3 * quarter), f"{year} kwartaal {quarter}")
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return cls(date(year, month, 1), _month_end(year, month), f"{clock.MONTHS[month - 1]} {year}")
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return cls(date(year, 1, 1), date(year, 12, 31), str(year))
        raise ValueError(f"onbekende periode {text!r}: gebruik bijvoorbeeld 2026-Q4, 2026-11 of 2026")

    @classmethod
    def between(cls, since: Optional[date], until: Optional[date], today: Optional[date] = None) -> Period:
        until = until or today or clock.today()  # a day where the staff are (clock.day_range)
        since = since or until - timedelta(days=29)
        if since > until:
            raise ValueError("de begindatum ligt na de einddatum")
        return cls(since, until, f"{since.isoformat()} t/m {until.isoformat()}")

    @classmethod
    def last_month(cls, today: date) -> Period:
        first = today.replace(day=1) - timedelta(days=1)
        return cls.parse(f"{first.year}-{first.month:02d}")


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)
