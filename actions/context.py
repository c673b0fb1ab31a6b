"""The action server's side of the turn context: built once per action call from the tracker.

The only place in actions/ that reads message metadata or the latest message: everything
after it gets the `TurnContext` (steunpunt/turn.py) and the few NLU facts of the turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from library import ContentLibrary
from steunpunt.turn import TurnContext, build, turn_of


def latest_metadata(tracker: Tracker) -> Optional[Mapping]:
    """Metadata of the latest user message (Rasa keeps it on the user event)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("metadata")
    return None


@dataclass(frozen=True)
class Understood:
    """What NLU made of the latest message."""

    text: Optional[str]
    intent: Optional[str]
    ranking: List[Dict[str, Any]]
    entities: List[Dict[str, Any]] = field(default_factory=list)


def understood(tracker: Tracker) -> Understood:
    message = tracker.latest_message or {}
    return Understood(
        text=message.get("text"),
        intent=(message.get("intent") or {}).get("name"),
        ranking=list(message.get("intent_ranking") or []),
        entities=[e for e in message.get("entities") or [] if isinstance(e, dict)],
    )


def turn_context(tracker: Tracker, library: ContentLibrary) -> TurnContext:
    """This turn's context: channel, conversation, region and its facts, audience (declared,
    remembered in the slot, or plain in the text), client and language."""
    return build(
        channel=tracker.get_latest_input_channel(),
        sender_id=tracker.sender_id,
        metadata=latest_metadata(tracker),
        library=library,
        text=(tracker.latest_message or {}).get("text"),
        remembered_audience=tracker.get_slot("audience"),
        turn=turn_of(tracker.events),
    )


def remembered_audience(tracker: Tracker, turn: TurnContext) -> List[EventType]:
    """The slot that remembers the audience for the next turn, set only when this turn's
    audience differs from it (one event fewer on most turns)."""
    if turn.audience != tracker.get_slot("audience"):
        return [SlotSet("audience", turn.audience)]
    return []


def question_before(tracker: Tracker) -> Optional[str]:
    """The user's message before the latest one: the question a "nee" or "ja" replies to."""
    texts = [e.get("text") for e in tracker.events if e.get("event") == "user"]
    return texts[-2] if len(texts) >= 2 else None
