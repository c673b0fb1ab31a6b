"""`action_respond`: one turn, from the tracker to the reply, in three steps.

Every topic question, every unsure NLU result and every reply to a question the bot asked
(yes/no, which topic, who are you) comes here, so the bot's behaviour lives in one action
and not in a web of rules. The path of a turn is short and in one direction:

1. `turn_context` reads the tracker once (actions/context.py);
2. `decide` (actions/outcome.py, pure) says what the bot does, knowing which topics can be
   served in the region;
3. `render` turns that outcome into messages and slot events (no side effects), and the
   turn's one signal is built by `signals.record.signal_for` and stored.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies, schools
from actions.context import question_before, remembered_audience, turn_context, understood
from actions.live import (
    Queued,
    ended_ticket,
    join_queue,
    person_available,
    timed_out_chat,
    typed_while_waiting,
)
from actions.outcome import (
    ANSWER,
    CLARIFY,
    DECLINED,
    FEEDBACK,
    HANDOFF,
    HANDOFF_OFFER,
    LIVE_ENDED,
    LIVE_INTENTS,
    LIVE_OFFER,
    LIVE_QUEUED,
    PENDING_CLARIFY,
    PENDING_FEEDBACK,
    PENDING_HANDOFF_OFFER,
    PENDING_LIVE_FEEDBACK,
    PENDING_LIVE_OFFER,
    SCHOOLS,
    SCHOOLS_INTENT,
    SET_AUDIENCE,
    SMALLTALK,
    SMALLTALK_INTENTS,
    Catalogue,
    Outcome,
    decide,
)
from library import ContentLibrary, RegionView, Topic, shared
from signals.record import kept_text, record, signal_for
from steunpunt import clock
from steunpunt.near_domain import outside_school
from steunpunt.turn import TurnContext

log = logging.getLogger(__name__)

#: Small talk is answered with a fixed phrase from the domain, in the order of SMALLTALK_INTENTS.
SMALLTALK_RESPONSES = dict(
    zip(SMALLTALK_INTENTS, ("utter_greet", "utter_goodbye", "utter_thank", "utter_iamabot"), strict=True)
)


#: A handoff after a live chat was not possible says why first (a wait nobody picked up, or
#: nobody available any more when the user said yes).
LIVE_HANDOFF_RESPONSES = {"live_timeout": "utter_live_timeout", "live_unavailable": "utter_live_unavailable"}


def catalogue_of(library: ContentLibrary, content: RegionView, today: date) -> Catalogue:
    """What decide() needs to know of the region's content today (`content`, the view the
    turn also renders from)."""
    region, topics = content.region, content.topics
    servable = frozenset(topic_id for topic_id, topic in topics.items() if not topic.is_overdue(today))
    elsewhere = frozenset(
        topic_id
        for other in library.regions()
        if other != region
        for topic_id in library.topics(other)
        if topic_id not in topics
    )
    return Catalogue(
        servable=servable,
        elsewhere=elsewhere,
        youth_wording=frozenset(t for t in servable if topics[t].youth_text),
    )


class ActionRespond(Action):
    def __init__(
        self, library: Optional[ContentLibrary] = None, today: Callable[[], date] = clock.today
    ) -> None:
        self.library = library or shared()
        self.today = today

    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        turn = turn_context(tracker, self.library)
        content = self.library.view(turn.region)  # decided and rendered from the same content
        nlu = understood(tracker)
        # Only a request for a person (or a yes to one) asks whether someone is available now.
        live_available = nlu.intent in LIVE_INTENTS and await asyncio.to_thread(
            person_available, turn, self.library
        )
        about_one_school = nlu.intent != SCHOOLS_INTENT and await asyncio.to_thread(
            schools.about_one_school, turn.region, nlu.text or ""
        )
        outcome = decide(
            intent=nlu.intent,
            ranking=nlu.ranking,
            pending=tracker.get_slot("pending"),
            known_topics=(),
            catalogue=catalogue_of(self.library, content, self.today()),
            last_topic=tracker.get_slot("last_topic"),
            other_language=turn.other_language,
            audience=turn.audience,
            audience_asked=bool(tracker.get_slot("audience_asked")),
            live_available=live_available,
            about_one_school=about_one_school,
            outside_school=outside_school(nlu.text or ""),
        )
        live = await asyncio.to_thread(_live_facts, outcome, turn, tracker)
        found = (
            await asyncio.to_thread(schools.look_up, turn, nlu.text or "", nlu.entities)
            if outcome.kind == SCHOOLS
            else None
        )
        reply = render(outcome, turn, content, live, found)
        for message in reply.messages:
            dispatcher.utter_message(**message)
        events: List[EventType] = remembered_audience(tracker, turn)
        await asyncio.to_thread(
            record,
            signal_for(
                turn,
                outcome.kind,
                # a question about schools: which kind and place were asked for (never a name)
                reason=found.signal_reason if found else outcome.reason,
                content_id=found.signal_place if found else outcome.content_id,
                candidates=outcome.candidates,
                ranking=nlu.ranking,
                text=kept_text(outcome.kind, outcome.reason, nlu.intent, nlu.text, question_before(tracker)),
            ),
        )
        if tracker.get_slot("pending") == PENDING_CLARIFY:
            await asyncio.to_thread(settle_clarify, turn, outcome)
        return events + [SlotSet(name, value) for name, value in reply.slots.items()]


def clarify_settlement(outcome: Outcome) -> Optional[str]:
    """How the turn after a clarify settles it: "chosen" when it was answered (a topic button,
    or the question asked again clearly), "rejected" for "Iets anders" (whose own signal keeps
    the question), else None: the clarify was followed by no choice and stays unmet."""
    if outcome.kind == ANSWER:
        return "chosen"
    if outcome.kind == HANDOFF_OFFER and outcome.reason == "clarify_rejected":
        return "rejected"
    return None


def settle_clarify(turn, outcome: Outcome, store=None) -> None:
    """Mark the previous turn's clarify signal as settled. Its id is computed from this
    conversation and the previous turn's number (steunpunt.turn.turn_signal_id), as the
    clarify's turn computed it: the link stays inside the conversation, nothing stored joins
    two signals. Never raises: a reply must not fail for a signal."""
    settled = clarify_settlement(outcome)
    if not settled or not turn.turn or not turn.turn[1]:
        return
    try:
        from signals.record import signal_store
        from steunpunt.turn import turn_signal_id

        session, number = turn.turn
        (store or signal_store()).settle_clarify(
            turn_signal_id(turn.sender_id, (session, number - 1), CLARIFY), settled
        )
    except Exception as error:  # noqa: BLE001
        log.error("clarify not settled: %s", type(error).__name__)


@dataclass(frozen=True)
class LiveFacts:
    """What the live chat's turns say besides the outcome: the place in the queue and the code
    (joining), the ticket a chat became (ended), what was typed while waiting (timed out)."""

    queued: Optional[Queued] = None
    ticket: Optional[str] = None
    typed: str = ""


def _live_facts(outcome: Outcome, turn: TurnContext, tracker: Tracker) -> LiveFacts:
    """The side effects and look-ups of the live chat's turns, before `render` (which has none)."""
    if outcome.kind == LIVE_QUEUED:
        from actions.handoff import transcript

        return LiveFacts(queued=join_queue(turn, transcript(tracker)))
    if outcome.kind == LIVE_ENDED:
        return LiveFacts(ticket=ended_ticket(turn.sender_id))
    if outcome.kind == HANDOFF and outcome.reason == "live_timeout":
        chat = timed_out_chat(turn.sender_id)
        return LiveFacts(typed=typed_while_waiting(chat) if chat else "")
    return LiveFacts()


@dataclass
class Reply:
    """What a turn says and which slots it sets, in order; nothing is sent or stored here."""

    messages: List[Dict[str, Any]] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)

    def say(self, message: Dict[str, Any]) -> None:
        self.messages.append(message)


def render(
    outcome: Outcome,
    turn: TurnContext,
    content: RegionView,
    live: Optional[LiveFacts] = None,
    found: Optional[schools.Found] = None,
) -> Reply:
    """The messages and slot updates of a decided outcome. No decision is taken here: what to
    do was decided by `decide`; this only puts it into words from the vetted content, the
    same view of it that decide's catalogue came from. No side effects: it reads no file and
    writes nothing (the live facts were fetched before)."""
    live = live or LiveFacts()
    reply = Reply(slots={"pending": None})
    if outcome.kind == ANSWER:
        _answer(reply, _given(outcome.content_id, outcome), outcome.ask_audience, turn, content)
    elif outcome.kind == CLARIFY:
        topics = [content.lookup(c) for c in outcome.candidates]
        reply.say(replies.clarify([t for t in topics if t is not None]))
        reply.slots["pending"] = PENDING_CLARIFY
    elif outcome.kind == HANDOFF_OFFER:
        _offer_handoff(reply, _given(outcome.reason, outcome), outcome.content_id, turn.other_language)
    elif outcome.kind == HANDOFF:
        # Say what will happen and how to reach the steunpunt directly (vetted content); the
        # slot makes the rules start the handoff form, which ends in a ticket.
        said = LIVE_HANDOFF_RESPONSES.get(outcome.reason or "")
        if said:  # why a person is not there live after all
            reply.say({"response": said, "json_message": {"type": outcome.reason}})
        if live.typed:  # typed while waiting for a person: the description, not asked again
            reply.slots["handoff_description"] = live.typed
        reply.say({"response": "utter_handoff_start"})
        contact = content.lookup(outcome.content_id) if outcome.content_id else None
        if contact is not None:  # no "Zie ook" here: the handoff form's questions come next
            reply.say(replies.answer(contact, turn.audience, region=turn.region, facts=turn.facts))
        reply.slots["handoff_requested"] = True
    elif outcome.kind == SET_AUDIENCE:
        reply.slots.update(audience=outcome.audience, audience_asked=True)
        if outcome.content_id:
            reply.say({"response": "utter_audience_reanswer"})
            _answer(reply, outcome.content_id, False, turn, content, audience=outcome.audience)
        else:
            reply.say({"response": "utter_audience_noted"})
    elif outcome.kind == DECLINED:
        reply.say({"response": "utter_handoff_declined"})
    elif outcome.kind == FEEDBACK:
        if outcome.reason in ("positive", "live_positive"):
            reply.say({"response": "utter_feedback_thanks"})
        elif outcome.reason == "live_negative":  # they just spoke to a person: no offer of one
            reply.say({"response": "utter_live_feedback_negative"})
        else:  # "this did not help": the offer of a person
            _offer_handoff(reply, "not_helpful", outcome.content_id)
    elif outcome.kind == LIVE_OFFER:
        reply.say({"response": "utter_live_offer", "json_message": {"type": "live_offer"}})
        reply.slots["pending"] = PENDING_LIVE_OFFER
    elif outcome.kind == LIVE_QUEUED and live.queued is not None:
        queued = live.queued
        reply.say(
            {
                "response": "utter_live_queued_code" if queued.code else "utter_live_queued",
                "place": queued.place,
                "code": queued.code or "",
                "json_message": {"type": "live_queued", "place": queued.place, "code": queued.code},
            }
        )
    elif outcome.kind == LIVE_ENDED:
        reply.say(
            {
                "response": "utter_live_ended" if live.ticket else "utter_live_ended_no_ticket",
                "ticket": live.ticket or "",
                "json_message": {"type": "live_ended", "ticket": live.ticket},
            }
        )
        reply.say({"response": "utter_ask_feedback", "json_message": {"type": "feedback", "live": True}})
        reply.slots["pending"] = PENDING_LIVE_FEEDBACK
    elif outcome.kind == SCHOOLS and found is not None:
        for message in schools.messages(found):
            reply.say(message)
        general = content.lookup(schools.SCHOOL_CHOICE_TOPIC)
        if not found.has_directory and general is not None:  # never another region's schools
            reply.say(replies.answer(general, turn.audience, region=turn.region, facts=turn.facts))
            reply.slots["last_topic"] = general.id
    elif outcome.kind == SMALLTALK:
        reply.say({"response": SMALLTALK_RESPONSES[_given(outcome.reason, outcome)]})
    else:
        reply.say({"response": "utter_how_can_i_help"})
    return reply


def _given(value: Optional[str], outcome: Outcome) -> str:
    """A field that decide() always fills for this kind of outcome: the topic of an ANSWER, the
    reason of a HANDOFF_OFFER or of SMALLTALK (actions/outcome.py). Never None there."""
    if value is None:
        raise ValueError(f"a {outcome.kind} outcome without its topic or reason: {outcome}")
    return value


def _served(content: RegionView, topic_id: str) -> Topic:
    """The topic decide() chose to answer: it was in the catalogue of servable topics, made
    from this same view."""
    topic = content.lookup(topic_id)
    if topic is None:
        raise LookupError(f"topic {topic_id!r} is not served in region {content.region!r}")
    return topic


def _answer(
    reply: Reply,
    topic_id: str,
    ask_audience: bool,
    turn: TurnContext,
    content: RegionView,
    audience: Optional[str] = None,
) -> None:
    topic = _served(content, topic_id)
    audience = audience or turn.audience
    reply.say(replies.answer(topic, audience, content.related(topic), turn.region, turn.facts))
    reply.slots["last_topic"] = topic.id
    if ask_audience:  # one question at a time: feedback once the audience is known
        reply.say(replies.ask_audience())
        reply.slots["audience_asked"] = True
    else:
        reply.say(replies.ask_feedback(topic.id))
        reply.slots["pending"] = PENDING_FEEDBACK


def _offer_handoff(
    reply: Reply, reason: str, content_id: Optional[str], language: Optional[str] = None
) -> None:
    for message in replies.handoff_offer(reason, content_id, language):
        reply.say(message)
    reply.slots["pending"] = PENDING_HANDOFF_OFFER
