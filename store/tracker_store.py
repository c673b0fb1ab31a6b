"""Rasa's SQL tracker store, minus the secrets: codes and contact data are never written.

Rasa keeps every event of a conversation. Three kinds would put secrets on disk in plain
text: the user's reply to "your e-mail or phone?" and to "type your code", the slots filled
from them, and the bot's confirmation that shows a new code. This store writes those events
with the secret replaced (also in the response variables Rasa keeps with a bot message); everything else is Rasa's own SQLTrackerStore. The handoff form asks
for contact data last, so the ticket is made in the same turn, from the tracker still in
memory; nothing later needs the plain value. Used in endpoints.yml as
`type: store.tracker_store.ScrubbingSQLTrackerStore`.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Iterator, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event

from store.codes import SHOWN_CODE

#: Slots whose user reply and value are secrets, and what stands in their place.
SECRET_SLOTS = {"handoff_contact": "[contactgegevens]", "ticket_code": "[code]"}
KEEP_AS_IS = {"geen", None}


def scrub(events: List[Dict[str, Any]], start: int = 0) -> List[Dict[str, Any]]:
    """Events `start`.. (as dicts) with secrets replaced; a pure function, tested on its own.
    The earlier events are only read (for which question was asked), never copied: a save
    costs the new events, not the whole conversation again."""
    requested: Optional[str] = None
    cleaned = []
    for index, original in enumerate(events):
        kind = original.get("event")
        if index < start:  # only follow which slot the form asked for
            if kind == "slot" and original.get("name") == "requested_slot":
                requested = original.get("value")
            elif kind == "active_loop" and original.get("name") is None:
                requested = None
            continue
        event = copy.deepcopy(original)
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "slot" and event.get("name") in SECRET_SLOTS and event.get("value") not in KEEP_AS_IS:
            event["value"] = SECRET_SLOTS[event["name"]]
        elif kind == "active_loop" and event.get("name") is None:
            requested = None
        elif kind == "user" and requested in SECRET_SLOTS:
            placeholder = SECRET_SLOTS[requested]
            event["text"] = placeholder
            if isinstance(event.get("parse_data"), dict):
                event["parse_data"]["text"] = placeholder
        elif kind == "bot":
            if event.get("text"):
                event["text"] = SHOWN_CODE.sub("[code]", event["text"])
            custom = (event.get("data") or {}).get("custom")
            if isinstance(custom, dict) and custom.get("code"):
                custom["code"] = "[code]"
            metadata = event.get("metadata")  # Rasa keeps a response's variables here
            if isinstance(metadata, dict) and metadata.get("code"):
                metadata["code"] = "[code]"
        cleaned.append(event)
    return cleaned


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session, tracker) -> Iterator[Event]:
        new = list(super()._additional_events(session, tracker))
        if not new:
            return iter(())
        every = list(tracker.events)
        start = len(every) - len(new)
        # Old events are read as dicts only for form state: slot and active_loop events.
        dicts = [event.as_dict() if index >= start or event.type_name in ("slot", "active_loop")
                 else {"event": event.type_name} for index, event in enumerate(every)]
        return iter([Event.from_parameters(data) for data in scrub(dicts, start)])
