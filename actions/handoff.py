"""Handing a conversation to a person: the handoff form, the ticket, and reading it back.

Parents may leave an e-mail address or phone number (or decline); youths are never asked for
contact data. The ticket is committed before the confirmation is sent, so a user who was
told about a ticket can rely on it. Without contact data the user gets a code to come back
with; wrong codes all get the same neutral message and repeated ones are slowed down.
"""

from __future__ import annotations

import asyncio
import logging
import re
from contextvars import ContextVar
from dataclasses import replace
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import turn_context
from actions.live import live_store, timed_out_chat
from actions.whatsapp import WHATSAPP, WHATSAPP_CONTACT, chose_this_number, whatsapp_number, youth_on_whatsapp
from library import shared, topic_for_intent
from signals.record import record, signal_for
from steunpunt import settings
from steunpunt.audience import AUDIENCE_YOUTH, AUDIENCES, audience_in_reply
from steunpunt.sealed import unseal
from steunpunt.turn import TurnContext
from store.db import engine_for
from store.tickets import CODE_FAIL_CLOSED_SECONDS, CodeLookup, TicketStore, ticket_number

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^(\+31|0031|0)[1-9]\d{8}$")
_DECLINE = {
    "nee",
    "nee dank je",
    "nee dankje",
    "nee bedankt",
    "nee hoor",
    "liever niet",
    "niet nodig",
    "geen",
    "nvt",
    "nope",
    "no",
}
#: The handoff_contact value of a parent who chose not to leave contact data.
NO_CONTACT = "geen"
_store: Optional[TicketStore] = None
logger = logging.getLogger(__name__)


def ticket_store() -> TicketStore:
    """The ticket store of this process (created on first use, migrations applied)."""
    global _store
    if _store is None:
        _store = TicketStore(engine_for(settings.DATABASE_URL), settings.secret_key())
    return _store


def parse_contact(text: str) -> Optional[str]:
    """A valid e-mail address or Dutch phone number from the text, normalised; else None."""
    candidate = (text or "").strip()
    if _EMAIL.match(candidate):
        return candidate.lower()
    digits = re.sub(r"[\s\-().]", "", candidate)
    if _PHONE.match(digits):
        return digits
    return None


def declines(text: Optional[str]) -> bool:
    """'Nee, dank je.' and the like: the user does not want to give this."""
    return " ".join(re.sub(r"[^\w\s]", " ", text or "").lower().split()) in _DECLINE


def times_said(tracker: Tracker, response: str) -> int:
    """How often the running handoff form has sent `response` (a domain response's name)."""
    said = 0
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == "handoff_form":
            break
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == response:
            said += 1
    return said


def times_asked(tracker: Tracker, slot: str) -> int:
    """How often the running handoff form has asked for `slot` (its utter_ask_ messages)."""
    return times_said(tracker, f"utter_ask_{slot}")


#: What a button the user pressed said on the screen, for staff reading a transcript ("/affirm"
#: is what the widget sends). Topic buttons ("/info_...") are shown by the topic's label.
BUTTON_TITLES = {
    "/affirm": "Ja",
    "/deny": "Nee",
    "/iam_parent": "Ik ben ouder of verzorger",
    "/iam_youth": "Ik ben leerling",
    "/live_chat": "Ja, nu chatten",
    "/leave_question": "Nee, vraag achterlaten",
}


def shown_text(text: str) -> str:
    """A user's text as it was on the screen: a button's title instead of its payload."""
    if text in BUTTON_TITLES:
        return f"[knop] {BUTTON_TITLES[text]}"
    topic = topic_for_intent(text[1:]) if text.startswith("/info_") else None
    if topic is not None:
        found = shared().lookup(topic)
        return f"[knop] {found.label if found else topic}"
    return text


def transcript(tracker: Tracker) -> List[Dict[str, Any]]:
    """The conversation as staff should read it: who said what, when (buttons by their title)."""
    lines = []
    for event in tracker.events:
        if event.get("event") in ("user", "bot") and event.get("text"):
            text = shown_text(event["text"]) if event["event"] == "user" else event["text"]
            lines.append({"from": event["event"], "text": text, "time": event.get("timestamp")})
    return lines


def topic_guess(tracker: Tracker, limit: int = 3) -> List[Dict[str, Any]]:
    """The topics NLU thought of for the last real question, with confidences."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        ranking = (event.get("parse_data") or {}).get("intent_ranking") or []
        guesses = [
            {"topic": topic_for_intent(r["name"]), "confidence": round(r["confidence"], 3)}
            for r in ranking
            if topic_for_intent(r.get("name"))
        ]
        if guesses:
            return guesses[:limit]
    return []


#: The handoff form asks one question at most this often.
MAX_ASKS = 2


def is_story(text: Optional[str], min_words: int = 4) -> bool:
    """A reply that tells what is going on rather than answering a short question."""
    return len(re.findall(r"\w+", text or "")) >= min_words and not (text or "").startswith("/")


#: The turn context of the form call in progress (`ValidateHandoffForm.run`), per asyncio task.
_form_turn: ContextVar[Optional[TurnContext]] = ContextVar("handoff_form_turn", default=None)


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        """The form's turn; on WhatsApp a youth is first told, once per handoff, that WhatsApp
        shows their number to the steunpunt and that the website's chat is anonymous (sent
        before the form's next question, so before anything is asked or stored).

        The turn context is built once here; rasa_sdk calls `required_slots` up to three times
        within `super().run`, and those calls read it from `_form_turn`."""
        turn = turn_context(tracker, shared())
        token = _form_turn.set(turn)
        try:
            events = await super().run(dispatcher, tracker, domain)
        finally:
            _form_turn.reset(token)
        if turn.channel == WHATSAPP:
            set_now = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
            audience = (
                set_now.get("handoff_audience") or turn.audience or tracker.get_slot("handoff_audience")
            )
            if audience == AUDIENCE_YOUTH and not times_said(tracker, "utter_whatsapp_youth_notice"):
                dispatcher.utter_message(**youth_on_whatsapp(turn))
        return events

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[str]:
        turn = _form_turn.get() or turn_context(tracker, shared())  # the latter: called on its own
        audience = turn.audience or tracker.get_slot("handoff_audience")
        if audience not in AUDIENCES:
            return ["handoff_audience", "handoff_description"]
        if audience == AUDIENCE_YOUTH:
            return ["handoff_description"]  # youths are never asked for contact data
        # Contact data last: it arrives in the turn that makes the ticket, so it never has to
        # wait in Rasa's tracker store (which scrubs it: store/tracker_store.py).
        return ["handoff_description", "handoff_contact"]

    def validate_handoff_audience(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        """Who is writing. A reply that is not an answer but a story ("Hij wordt al maanden
        gepest ...") is kept as the description, so it is never asked for again; and the
        question itself is asked at most twice: then the form goes on as for a youth (no
        contact data asked; a code to read the reply), which suits either."""
        audience = value if value in AUDIENCES else audience_in_reply(value)
        filled: Dict[str, Any] = {}
        # "ik ben de moeder" answers; "Mijn dochter wordt al weken gepest ..." also tells.
        if is_story(value, min_words=8 if audience else 4) and not tracker.get_slot("handoff_description"):
            filled["handoff_description"] = value.strip()
        if audience:
            return {**filled, "handoff_audience": audience, "audience": audience}
        if times_asked(tracker, "handoff_audience") >= MAX_ASKS:
            return {**filled, "handoff_audience": AUDIENCE_YOUTH}
        return {**filled, "handoff_audience": None}  # the form asks once more

    def validate_handoff_contact(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        if tracker.get_latest_input_channel() == WHATSAPP:  # "Ja, dit nummer" / "Nee"
            if chose_this_number(value):
                return {"handoff_contact": WHATSAPP_CONTACT}
            if value == "/deny":
                return {"handoff_contact": NO_CONTACT}
        if declines(value):
            return {"handoff_contact": NO_CONTACT}
        contact = parse_contact(value)
        if contact is None:
            if times_asked(tracker, "handoff_contact") >= MAX_ASKS:  # not a third time: a code
                dispatcher.utter_message(response="utter_contact_given_up")
                return {"handoff_contact": NO_CONTACT}
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"handoff_contact": None}
        return {"handoff_contact": contact}

    def validate_handoff_description(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        return {"handoff_description": "" if declines(value) else (value or "").strip()}


class ActionCreateTicket(Action):
    def name(self) -> str:
        return "action_create_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[EventType]:
        contact = tracker.get_slot("handoff_contact")
        turn = turn_context(tracker, shared())
        if contact == WHATSAPP_CONTACT:  # the number itself never waited in the tracker store
            contact = await asyncio.to_thread(whatsapp_number, turn.sender_id) or NO_CONTACT
        audience = turn.audience or tracker.get_slot("handoff_audience")
        turn = replace(turn, audience=audience)  # the form may have asked who is writing
        # Sealed when it waited in the tracker store since an earlier turn (steunpunt/sealed.py).
        description = unseal(tracker.get_slot("handoff_description")) or None
        guess = topic_guess(tracker)

        def signal(**fields: Any) -> Any:
            return signal_for(
                turn, "ticket", text=description, content_id=(guess[:1] or [{}])[0].get("topic"), **fields
            )

        try:
            if not await asyncio.to_thread(ticket_store().may_create, turn.client):
                await asyncio.to_thread(record, signal(reason="limit"))
                dispatcher.utter_message(
                    response="utter_handoff_failed",
                    json_message={"type": "handoff_failed", "reason": "limit"},
                )
                return self.clear()
            # A live chat nobody picked up already gave the user a code: the ticket takes it.
            waited = await asyncio.to_thread(timed_out_chat, turn.sender_id)
            ticket = await asyncio.to_thread(
                ticket_store().create,
                code_hash=waited.code_hash if waited else None,
                audience=audience,
                channel=turn.channel,
                topic_guess=guess,
                transcript=transcript(tracker),
                description=description,
                region=turn.region,
                conversation=turn.sender_id,
                contact=None if audience == AUDIENCE_YOUTH or contact in (None, NO_CONTACT) else contact,
            )
        except Exception as error:  # noqa: BLE001 - never leave the user without a way to a person
            # An alarm for the operators, without anything the user typed.
            logger.error("ALARM: a handoff ticket could not be stored: %s", type(error).__name__)
            await asyncio.to_thread(record, signal(reason="failed"))
            dispatcher.utter_message(response="utter_handoff_failed", json_message={"type": "handoff_failed"})
            return self.clear(keep_description=True)
        if waited is not None:
            await asyncio.to_thread(live_store().link_ticket, waited.id, ticket.id)
        await asyncio.to_thread(record, signal(ticket=ticket.number))
        facts = {
            "ticket": ticket.number,
            "code": ticket.code or "",
            "reactietijd": turn.facts.get("steunpunt_reactietijd", ""),
            "bereikbaarheid": turn.facts.get("steunpunt_bereikbaarheid", ""),
        }
        if ticket.code:
            response = "utter_handoff_confirm_code"
        elif waited is not None and waited.code_hash and contact in (None, NO_CONTACT):
            response = "utter_handoff_confirm_queue_code"  # the code shown in the queue
        else:
            response = "utter_handoff_confirm_contact"
        dispatcher.utter_message(
            response=response,
            **facts,
            json_message={"type": "handoff", "ticket": ticket.number, "code": ticket.code},
        )
        return self.clear()

    @staticmethod
    def clear(keep_description: bool = False) -> List[EventType]:
        """Forget the form's answers. After a failure the description and audience stay, so a
        second try ("medewerker") does not make the user type their story again; contact data
        never stays (the tracker store only keeps a placeholder for it)."""
        cleared = (
            ("handoff_contact", "pending")
            if keep_description
            else ("handoff_contact", "handoff_description", "handoff_audience", "pending")
        )
        return [SlotSet(name, None) for name in cleared] + [SlotSet("handoff_requested", False)]


class ActionCheckCode(Action):
    """Show a ticket's status and the staff reply to whoever has its code."""

    def name(self) -> str:
        return "action_check_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[EventType]:
        typed = tracker.get_slot("ticket_code") or ""
        turn = turn_context(tracker, shared())
        try:
            found = await asyncio.to_thread(ticket_store().lookup_code, typed, tracker.sender_id, turn.client)
        except Exception as error:  # noqa: BLE001 - a friendly reply, and no conversation in the log
            logger.error("code check failed: %s", type(error).__name__)
            found = CodeLookup(ticket=None, wait_seconds=CODE_FAIL_CLOSED_SECONDS)
        reason = "wait" if found.wait_seconds else ("not_found" if found.ticket is None else "found")
        await asyncio.to_thread(record, signal_for(turn, "code_check", reason=reason))
        if found.wait_seconds:
            minutes = max(1, round(found.wait_seconds / 60))
            dispatcher.utter_message(
                response="utter_code_wait",
                minutes=minutes,
                json_message={"type": "ticket_status", "found": False},
            )
        elif found.ticket is None:
            dispatcher.utter_message(
                response="utter_code_unknown", json_message={"type": "ticket_status", "found": False}
            )
        else:
            ticket = found.ticket
            number = ticket_number(ticket["id"])
            dispatcher.utter_message(
                response="utter_code_status",
                ticket=number,
                status=ticket["status"],
                json_message={
                    "type": "ticket_status",
                    "found": True,
                    "ticket": number,
                    "status": ticket["status"],
                    "reply": ticket["reply"],
                },
            )
            if ticket["reply"]:
                dispatcher.utter_message(response="utter_code_reply", reply=ticket["reply"])
            else:
                dispatcher.utter_message(response="utter_code_no_reply_yet")
        return [SlotSet("ticket_code", None)]
