"""Is a person of the steunpunt reachable now, per region (issue 25, live chat)?

A pure function of the region's opening hours (library/hours.py, or None when the region gives
only a sentence), how many staff members are available for that region (store/presence.py)
and the local time. Here, in library/, so both doors that need it may import it: the Rasa
server's status channel (the widget's status line) and, later, the action server (offering a
live chat when someone asks for a person).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Optional

from library.hours import WEEKDAYS, OpeningHours
from steunpunt.clock import MONTHS

NOW_TEXT = "Nu bereikbaar"


def when(moment: datetime) -> str:
    """A moment as Dutch readers say it: maandag 8 december om 9.00 uur."""
    return (
        f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} "
        f"om {moment.hour}.{moment.minute:02d} uur"
    )


def availability(
    hours: Optional[OpeningHours], staff_count: int, now_local: datetime, sentence: str = ""
) -> Dict[str, Any]:
    """{"open", "staff", "now", "next_opening" (local ISO or None), "text" (Dutch)}.

    `now` means: open and someone available. Without structured hours the steunpunt is never
    "open" here (nobody knows when it is) and the text is the region's hours sentence
    (`sentence`, e.g. the facts' `steunpunt_bereikbaarheid`)."""
    local = now_local.replace(tzinfo=None)
    is_open = bool(hours and hours.is_open(local))
    staff = staff_count > 0
    now = is_open and staff
    upcoming = hours.next_opening(local) if hours and not now else None
    if now:
        text = NOW_TEXT
    elif is_open:
        text = "Er is op dit moment geen medewerker beschikbaar voor chat. Laat een vraag achter."
    elif hours is None:
        text = f"Het steunpunt is bereikbaar {sentence}." if sentence else "Laat een vraag achter."
    elif upcoming is not None:
        text = f"Het steunpunt is weer bereikbaar op {when(upcoming)}."
    else:
        text = "Laat een vraag achter."
    return {
        "open": is_open,
        "staff": staff,
        "now": now,
        "next_opening": upcoming.isoformat() if upcoming else None,
        "text": text,
    }
