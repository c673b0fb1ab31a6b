"""Who the bot is talking to: a parent (`ouder`) or a youth (`jongere`).

The website widget sends `{"audience": "ouder"|"jongere"}` as message metadata; otherwise the
bot asks once, when an answer has a youth wording, and remembers the reply in a slot.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from rasa_sdk import Tracker

from actions.content import AUDIENCE_PARENT, AUDIENCE_YOUTH

AUDIENCES = (AUDIENCE_PARENT, AUDIENCE_YOUTH)


def audience_from_metadata(metadata: Any) -> Optional[str]:
    """The audience the client declared, or None when it sent nothing valid."""
    if not isinstance(metadata, Mapping):
        return None
    value = metadata.get("audience")
    return value if value in AUDIENCES else None


def latest_metadata(tracker: Tracker) -> Optional[Mapping]:
    """Metadata of the latest user message (Rasa keeps it on the user event)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("metadata")
    return None


def current_audience(tracker: Tracker) -> Optional[str]:
    """The audience the widget sent with this message, else the one remembered in the slot."""
    return audience_from_metadata(latest_metadata(tracker)) or tracker.get_slot("audience")
