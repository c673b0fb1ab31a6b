"""Rasa's SQL tracker store, minus the secrets: codes, contact data and descriptions are never
written in plain text.

Rasa keeps every event of a conversation. Some would put secrets on disk in plain text: the
user's reply to "your e-mail or phone?", to "type your code" and to "tell us what is going on",
the slots filled from them, and the bot's confirmation that shows a new code. This store writes
those events with the secret replaced (also in the response variables Rasa keeps with a bot
message); everything else is Rasa's own SQLTrackerStore.

Contact data and codes are never needed later: the handoff form asks for contact data last, so
the ticket is made in the same turn, from the tracker still in memory. A parent's description
is asked before the contact data, so its slot must last one more turn: it is stored sealed
(steunpunt/sealed.py), and the message that carried it keeps only a placeholder.

Codes and contact data typed anywhere else ("ik heb een code K7MP-Q2XD", "bel mij op 06…")
are replaced too, in every user message and its parse data (steunpunt/identifiers.py; a code
split or spelled like words, "RSR JKDSD", when it is a real ticket's code), and in every
other slot value (a reply Rasa put in a slot whole is a placeholder: ANSWER_SLOTS); the
token offsets Rasa keeps with a message (`text_tokens`) are dropped, as they would show the
shape of what was replaced. The code form still gets its code: the slot is filled and read by
action_check_code within the turn, from the tracker in memory; scrubbing happens when the turn
is saved.
Used in endpoints.yml as `type: store.tracker_store.ScrubbingSQLTrackerStore`.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Dict, Iterator, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event

from steunpunt import settings
from steunpunt.audience import AUDIENCES
from steunpunt.codes import SHOWN_CODE
from steunpunt.identifiers import scrub_contact
from steunpunt.sealed import seal as seal_with_key

#: Slots whose user reply and value are secrets, and what stands in their place.
SECRET_SLOTS = {
    "handoff_contact": "[contactgegevens]",
    "ticket_code": "[code]",
    "handoff_description": "[beschrijving]",
}
#: Questions whose user reply is kept as a placeholder (the slot value is not secret once the
#: form validated it: ANSWER_SLOTS): asked "ouder of leerling?", a parent may answer with their
#: story, which becomes the description.
SECRET_REPLIES = {**SECRET_SLOTS, "handoff_audience": "[antwoord]"}
#: Of those, the slots whose value is still needed in a later turn: kept sealed, not dropped.
SEALED_SLOTS = {"handoff_description"}
KEEP_AS_IS = {"geen", "", None}
#: Slots that Rasa fills with the whole reply (a `from_text` mapping) before the form's
#: validation turns it into one of a few values: any other value is that reply, kept as a
#: placeholder like the message itself ("ouder of leerling?" answered with a phone number).
ANSWER_SLOTS = {"handoff_audience": (frozenset(AUDIENCES), SECRET_REPLIES["handoff_audience"])}


def scrub(
    events: List[Dict[str, Any]],
    start: int = 0,
    seal: Optional[Callable[[str], str]] = None,
    hide_codes: Optional[Callable[[str], str]] = None,
) -> List[Dict[str, Any]]:
    """Events `start`.. (as dicts) with secrets replaced; a pure function, tested on its own.
    Values of SEALED_SLOTS go through `seal` (without one they become a placeholder too).
    `hide_codes` hides, in a user text, the spellings of a code that only a check against the
    real codes can tell from words ("RSR JKDSD", "kwrt abcd": store.tickets.hide_working_codes).
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
            name = event["name"]
            if name in SEALED_SLOTS and seal is not None and isinstance(event["value"], str):
                event["value"] = seal(event["value"])
            else:
                event["value"] = SECRET_SLOTS[name]
        elif kind == "slot" and event.get("name") in ANSWER_SLOTS and event.get("value") not in KEEP_AS_IS:
            known, placeholder = ANSWER_SLOTS[event["name"]]
            if event["value"] not in known:
                event["value"] = placeholder
        elif kind == "slot" and isinstance(event.get("value"), str):
            # Every other text slot is set by the bot itself (a topic id, what it asked last),
            # but none may carry a code or contact data to disk. Not the real-code check: when
            # it cannot reach the database it hides every word that could be a code, and
            # 'feedback' is one (the `pending` slot), which would change the next turn.
            event["value"] = scrub_contact(event["value"])
        elif kind == "active_loop" and event.get("name") is None:
            requested = None
        elif kind == "user":
            _scrub_user(event, SECRET_REPLIES.get(requested) if requested is not None else None, hide_codes)
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


def _scrub_user(
    event: Dict[str, Any], placeholder: Optional[str], hide_codes: Optional[Callable[[str], str]] = None
) -> None:
    """A user message (in place): all of it replaced when it answered a secret question, else
    its codes, e-mail addresses and phone numbers; never its token offsets."""

    def clean(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        if placeholder is not None:
            return placeholder
        text = scrub_contact(text)
        return hide_codes(text) if hide_codes is not None else text

    if "text" in event:
        event["text"] = clean(event["text"])
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data.pop("text_tokens", None)
        if "text" in parse_data:
            parse_data["text"] = clean(parse_data["text"])
        for entity in parse_data.get("entities") or []:
            if isinstance(entity, dict):
                for key in ("value", "text"):
                    if isinstance(entity.get(key), str):
                        entity[key] = clean(entity[key])


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session, tracker) -> Iterator[Event]:
        new = list(super()._additional_events(session, tracker))
        if not new:
            return iter(())
        every = list(tracker.events)
        start = len(every) - len(new)
        # Old events are read as dicts only for form state: slot and active_loop events.
        dicts = [
            event.as_dict()
            if index >= start or event.type_name in ("slot", "active_loop")
            else {"event": event.type_name}
            for index, event in enumerate(every)
        ]
        return iter(
            [Event.from_parameters(data) for data in scrub(dicts, start, seal_with_key, _hide_real_codes)]
        )


def _hide_real_codes(text: str) -> str:
    """Codes of real tickets in the steunpunt's own database (settings.DATABASE_URL), however
    they were split or spelled; fails closed (store.tickets.hide_working_codes)."""
    from store.db import engine_for
    from store.tickets import hide_working_codes

    return hide_working_codes(text, engine_for(settings.DATABASE_URL))
