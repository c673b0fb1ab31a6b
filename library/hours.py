"""A region's opening hours as data: when a person of the steunpunt can be reached.

Why data and not only a sentence: live chat (issue 25) must know whether the steunpunt is
open *now* and when it opens next, per region, while pages and answers keep showing the
hours as a sentence ("maandag tot en met donderdag van 9.00 tot 16.00 uur"). So the region's
`regio.yml` may give

    openingstijden:
      maandag: "9.00-16.00"
      dinsdag: "9.00-12.00, 13.00-16.00"
      gesloten: [2026-12-25, 2026-12-26]

and the sentence `{steunpunt_bereikbaarheid}` is made from it, one truth for both. Times are
local (settings.TIMEZONE); a day not named is closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from library.model import ContentError

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
CLOSED_KEY = "gesloten"
_RANGE = re.compile(r"^\s*(\d{1,2})[.:](\d{2})\s*-\s*(\d{1,2})[.:](\d{2})\s*$")

Span = Tuple[time, time]


@dataclass(frozen=True)
class OpeningHours:
    #: Weekday (0 = Monday) -> the spans the steunpunt is open that day, in order.
    days: Dict[int, Tuple[Span, ...]] = field(default_factory=dict)
    closed: FrozenSet[date] = frozenset()

    def spans_on(self, day: date) -> Tuple[Span, ...]:
        return () if day in self.closed else self.days.get(day.weekday(), ())

    def is_open(self, at: datetime) -> bool:
        """Open at this local time (naive or in the steunpunt's zone)."""
        moment = at.time()
        return any(start <= moment < end for start, end in self.spans_on(at.date()))

    def next_opening(self, at: datetime, horizon_days: int = 60) -> Optional[datetime]:
        """The next moment (local, naive) the steunpunt opens after `at`; None within the
        horizon (e.g. no hours at all)."""
        for offset in range(horizon_days + 1):
            day = at.date() + timedelta(days=offset)
            for start, _end in self.spans_on(day):
                moment = datetime.combine(day, start)
                if moment > at.replace(tzinfo=None):
                    return moment
        return None

    def sentence(self) -> str:
        """The hours as Dutch readers write them: "maandag tot en met donderdag van 9.00 tot
        16.00 uur", days with the same hours taken together."""
        groups: List[Tuple[List[int], Tuple[Span, ...]]] = []
        for weekday in range(7):
            spans = self.days.get(weekday)
            if not spans:
                continue
            if groups and groups[-1][1] == spans and groups[-1][0][-1] == weekday - 1:
                groups[-1][0].append(weekday)
            else:
                groups.append(([weekday], spans))
        parts = []
        for weekdays, spans in groups:
            if len(weekdays) == 1:
                days = WEEKDAYS[weekdays[0]]
            elif len(weekdays) == 2:
                days = f"{WEEKDAYS[weekdays[0]]} en {WEEKDAYS[weekdays[1]]}"
            else:
                days = f"{WEEKDAYS[weekdays[0]]} tot en met {WEEKDAYS[weekdays[-1]]}"
            times = " en ".join(f"van {_clock(start)} tot {_clock(end)} uur" for start, end in spans)
            parts.append(f"{days} {times}")
        if not parts:
            return "op dit moment niet"
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def _clock(moment: time) -> str:
    return f"{moment.hour}.{moment.minute:02d}"


def _span(text: str, day: str) -> Span:
    match = _RANGE.match(text)
    if not match:
        raise ContentError(f"openingstijden: '{text}' bij {day} is geen tijd als 9.00-16.00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (0 <= h1 <= 23 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60):
        raise ContentError(f"openingstijden: '{text}' bij {day} is geen geldige tijd")
    start, end = time(h1, m1), (time(23, 59, 59) if h2 == 24 else time(h2, m2))
    if end <= start:
        raise ContentError(f"openingstijden: bij {day} ligt het einde niet na het begin")
    return start, end


def parse_hours(raw: Any) -> OpeningHours:
    """`openingstijden` from regio.yml; ContentError says what to fix, in plain Dutch."""
    if not isinstance(raw, dict):
        raise ContentError("'openingstijden' moet per dag een tijd geven, zoals 'maandag: 9.00-16.00'")
    days: Dict[int, Tuple[Span, ...]] = {}
    closed: set = set()
    for key, value in raw.items():
        name = str(key).strip().lower()
        if name == CLOSED_KEY:
            for item in value or []:
                try:
                    closed.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
                except ValueError:
                    raise ContentError(
                        f"openingstijden: gesloten dag '{item}' is geen datum als 2026-12-25"
                    ) from None
            continue
        if name not in WEEKDAYS:
            raise ContentError(f"openingstijden: '{key}' is geen dag (maandag ... zondag, of gesloten)")
        spans = tuple(sorted(_span(part, name) for part in str(value).split(",") if part.strip()))
        if any(a[1] > b[0] for a, b in pairwise(spans)):
            raise ContentError(f"openingstijden: de tijden bij {name} overlappen")
        if spans:
            days[WEEKDAYS.index(name)] = spans
    return OpeningHours(days=days, closed=frozenset(closed))
