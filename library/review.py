"""Which texts must be checked soon: their review-by date within a few weeks, or already past.

Why: a text past its `review_by` is not served as fact (the bot and the site say it is being
checked, `Topic.is_overdue`), so editors need to see it coming. The staff app shows this list
on its start pages (issue 26, item 8), per region an account sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, List, Optional

from library.catalogue import ContentLibrary

#: How far ahead the reminders look.
REMIND_WEEKS = 6


@dataclass(frozen=True)
class Reminder:
    topic_id: str
    title: str
    #: The region whose own version this is, or None for a national text (one line for all).
    region: Optional[str]
    review_by: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def due_for_review(
    library: ContentLibrary,
    sees: Callable[[str], bool],
    today: date,
    weeks: int = REMIND_WEEKS,
) -> List[Reminder]:
    """Texts of the regions `sees` admits whose review date is within `weeks` or past, soonest
    first. A national text is listed once, a region's own version (whole topic or a part) once
    per region."""
    horizon = today + timedelta(weeks=weeks)
    found = {}
    for region in library.regions():
        if not sees(region):
            continue
        for topic in library.topics(region).values():
            if topic.review_by > horizon:
                continue
            own = bool(topic.regional_parts) or topic.regional_text is not None
            key = (topic.id, region if own else None)
            found[key] = Reminder(
                topic_id=topic.id,
                title=topic.title,
                region=key[1],
                review_by=topic.review_by,
                days_left=(topic.review_by - today).days,
            )
    return sorted(found.values(), key=lambda r: (r.review_by, r.topic_id, r.region or ""))
