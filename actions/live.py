"""The action server's part of the live chat (issue 25): is a person available for this turn,
joining the queue, and what a live chat left for the ticket flow.

Everything that happens *during* a live chat (the user's messages to the staff member, the
staff member's to the widget, noticing that nobody picked up) is the Rasa server's channel
(channels/live.py): while a person has the conversation the bot is not asked at all. The
action server only decides the turns around it: the offer, joining the queue, the ticket flow
after a time-out, and "Had je hier iets aan?" after the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from library import ContentLibrary
from library.availability import availability
from steunpunt import clock, settings
from steunpunt.codes import code_hash, new_code, normalise
from steunpunt.turn import TurnContext
from store.db import engine_for
from store.live import USER, Chat, LiveStore
from store.presence import available_staff
from store.tickets import TicketStore

#: Channels that can carry a live chat: they push a staff member's message to the user as it
#: is written (the widget's socket.io, and WhatsApp: channels/whatsapp.py). The REST channel
#: answers only the request it is given, so its users get the ticket flow (docs/live-chat.md).
LIVE_CHANNELS = frozenset({"socketio", "whatsapp"})

_store: Optional[LiveStore] = None


def live_store() -> LiveStore:
    """This process's live chat store (created on first use)."""
    global _store
    if _store is None:
        _store = LiveStore(TicketStore(engine_for(settings.DATABASE_URL), settings.secret_key()))
    return _store


def person_available(turn: TurnContext, library: ContentLibrary) -> bool:
    """A person of the turn's region can take a live chat now: a channel that can carry it,
    within the region's opening hours, and someone switched on ("Beschikbaar voor chat")."""
    if turn.channel not in LIVE_CHANNELS:
        return False
    staff = available_staff(engine_for(settings.DATABASE_URL), turn.region, clock.now())
    return bool(availability(library.hours(turn.region), len(staff), clock.local_now())["now"])


@dataclass(frozen=True)
class Queued:
    """What the user is told on joining the queue: their place, and the code to read the
    conversation back later (None when they were already waiting: that code was shown then)."""

    place: int
    code: Optional[str]
    chat: int


def join_queue(turn: TurnContext, transcript: List[Dict[str, Any]]) -> Queued:
    """Put the conversation in its region's queue, with the bot's turns so far for the staff
    member. The code is made here and shown once; only its hash is kept (it moves to the
    ticket the chat becomes)."""
    code = new_code()
    hashed = code_hash(normalise(code) or code, settings.secret_key())
    store = live_store()
    chat = store.enqueue(
        conversation=turn.sender_id,
        region=turn.region,
        audience=turn.audience,
        channel=turn.channel,
        transcript=transcript,
        code_hash=hashed,
        now=clock.now(),
    )
    return Queued(place=store.place(chat), code=code if chat.code_hash == hashed else None, chat=chat.id)


def timed_out_chat(conversation: str) -> Optional[Chat]:
    """The conversation's live chat that nobody picked up, still without its ticket."""
    return live_store().last_timed_out(conversation)


def typed_while_waiting(chat: Chat) -> str:
    """What the user wrote in the queue: the description of the ticket, so nothing is retyped."""
    return "\n".join(m["text"] for m in live_store().messages(chat.id) if m["sender"] == USER)


def ended_ticket(conversation: str) -> Optional[str]:
    """The ticket number of the conversation's live chat that just ended."""
    chat = live_store().latest(conversation)
    return chat.ticket if chat is not None else None
