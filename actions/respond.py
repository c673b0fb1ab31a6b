"""`action_respond`: turns the decided outcome of a turn into messages and slot updates.

Every topic question, every unsure NLU result and every reply to a question the bot asked
(yes/no, which topic, who are you) comes here, so the bot's behaviour lives in one action
and not in a web of rules.
"""
from __future__ import annotations

import asyncio
from datetime import date
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.audience import current_audience, latest_metadata
from library import ContentLibrary, Topic, shared
from actions.language import other_language
from actions.outcome import (
    ANSWER,
    CLARIFY,
    DECLINED,
    FEEDBACK,
    HANDOFF,
    HANDOFF_OFFER,
    PENDING_CLARIFY,
    PENDING_FEEDBACK,
    PENDING_HANDOFF_OFFER,
    SET_AUDIENCE,
    SMALLTALK,
    SMALLTALK_INTENTS,
    Outcome,
    decide,
)
from signals.record import kept_text, record, top_intents, turn_signal_id
from steunpunt import clock
from steunpunt.regions import region_from_metadata
from signals.store import Signal

#: Shared by all actions of this server process; re-reads files only after an edit.
LIBRARY = shared()


#: Small talk is answered with a fixed phrase from the domain, in the order of SMALLTALK_INTENTS.
SMALLTALK_RESPONSES = dict(zip(SMALLTALK_INTENTS, ("utter_greet", "utter_goodbye", "utter_thank",
                                                   "utter_iamabot")))


class ActionRespond(Action):
    def __init__(
        self,
        library: Optional[ContentLibrary] = None,
        today: Callable[[], date] = clock.today,
    ) -> None:
        self.library = library or LIBRARY
        self.today = today

    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        message = tracker.latest_message or {}
        region = region_from_metadata(latest_metadata(tracker))  # resolved once per turn
        known_topics = self.library.topics(region)
        outcome = decide(
            intent=(message.get("intent") or {}).get("name"),
            ranking=message.get("intent_ranking") or [],
            pending=tracker.get_slot("pending"),
            known_topics=known_topics.keys(),
            last_topic=tracker.get_slot("last_topic"),
            other_language=None if (message.get("text") or "").startswith("/")  # a button
            else other_language(message.get("text")),
        )
        events: List[EventType] = []
        audience = current_audience(tracker)
        if audience != tracker.get_slot("audience"):
            events.append(SlotSet("audience", audience))
        turn = _Turn(self, dispatcher, tracker, audience, events, region)
        turn.carry_out(outcome)
        await asyncio.to_thread(record, turn_signal(tracker, turn.done, audience, region))
        return events


def question_before(tracker: Tracker) -> Optional[str]:
    """The user's message before the latest one: the question a "nee" or "ja" replies to."""
    texts = [e.get("text") for e in tracker.events if e.get("event") == "user"]
    return texts[-2] if len(texts) >= 2 else None


def turn_signal(tracker: Tracker, outcome: Outcome, audience: Optional[str],
                region: Optional[str] = None) -> Signal:
    """The signal of a turn as it was carried out (e.g. an answer whose content is being
    checked is recorded as that, not as an answer)."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    return Signal(
        kind=outcome.kind, reason=outcome.reason, content_id=outcome.content_id,
        candidates=tuple(outcome.candidates),
        intents=top_intents(message.get("intent_ranking") or []),
        channel=tracker.get_latest_input_channel(), audience=audience,
        region=region or region_from_metadata(latest_metadata(tracker)),
        text=kept_text(outcome.kind, outcome.reason, intent, message.get("text"),
                       question_before(tracker)),
        id=turn_signal_id(tracker.sender_id, tracker.events, outcome.kind),
    )


class _Turn:
    """One turn's rendering; collects the messages and the slot events it causes."""

    def __init__(self, action: ActionRespond, dispatcher, tracker: Tracker, audience, events,
                 region: Optional[str] = None):
        self.library = action.library
        self.region = region
        self.today = action.today()
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.audience = audience
        self.events = events
        self.done: Outcome = Outcome("prompt")  # the outcome as carried out

    def say(self, message: Dict[str, Any]) -> None:
        self.dispatcher.utter_message(**message)

    def set_pending(self, pending: Optional[str]) -> None:
        self.events.append(SlotSet("pending", pending))

    def carry_out(self, outcome: Outcome) -> None:
        self.set_pending(None)
        self.done = outcome
        if outcome.kind == ANSWER:
            self.answer(outcome.content_id, may_ask_audience=True)
        elif outcome.kind == CLARIFY:
            self.clarify(outcome.candidates)
        elif outcome.kind == HANDOFF_OFFER:
            self.offer_handoff(outcome.reason)
        elif outcome.kind == HANDOFF:
            self.hand_off(outcome.content_id)
        elif outcome.kind == SET_AUDIENCE:
            self.set_audience(outcome.audience)
        elif outcome.kind == DECLINED:
            self.say({"response": "utter_handoff_declined"})
        elif outcome.kind == FEEDBACK:
            self.feedback(outcome)
        elif outcome.kind == SMALLTALK:
            self.say({"response": SMALLTALK_RESPONSES[outcome.reason]})
        else:
            self.say({"response": "utter_how_can_i_help"})

    def servable(self, topic_id: Optional[str]) -> Optional[Topic]:
        """The topic if its content is valid and within its review date, else None."""
        topic = self.library.lookup(topic_id, self.region) if topic_id else None
        if topic is None or topic.is_overdue(self.today):
            return None
        return topic

    def answer(self, topic_id: str, may_ask_audience: bool) -> None:
        topic = self.servable(topic_id)
        if topic is None:
            # Missing, broken or past its review date: never serve it as fact. A topic that only
            # another region has is not being checked: this region simply has nothing on it.
            elsewhere = any(topic_id in self.library.topics(region) for region in self.library.regions())
            here = topic_id in self.library.topics(self.region)
            self.offer_handoff("not_in_region" if elsewhere and not here else "being_checked",
                               content_id=topic_id)
            return
        self.say(replies.answer(topic, self.audience, self.library.related(topic, self.region),
                                self.region, self.library.facts(self.region)))
        self.events.append(SlotSet("last_topic", topic.id))
        if (
            may_ask_audience
            and self.audience is None
            and topic.youth_text
            and not self.tracker.get_slot("audience_asked")
        ):
            self.say(replies.ask_audience())
            self.events.append(SlotSet("audience_asked", True))
        else:  # one question at a time: feedback once the audience is known
            self.say(replies.ask_feedback(topic.id))
            self.set_pending(PENDING_FEEDBACK)

    def feedback(self, outcome: Outcome) -> None:
        """'Had je hier iets aan?' answered: thanks, or (no) the offer of a person."""
        if outcome.reason == "positive":
            self.say({"response": "utter_feedback_thanks"})
        else:
            self.offer_handoff("not_helpful", content_id=outcome.content_id, record=False)

    def clarify(self, candidates) -> None:
        topics = [t for t in (self.servable(c) for c in candidates) if t is not None]
        if not topics:
            self.offer_handoff("not_understood")
            return
        self.say(replies.clarify(topics))
        self.set_pending(PENDING_CLARIFY)

    def offer_handoff(self, reason: str, content_id: Optional[str] = None,
                      record: bool = True) -> None:
        if record:  # what the turn turned out to be, e.g. content being checked
            self.done = Outcome(HANDOFF_OFFER, reason=reason, content_id=content_id)
        for message in replies.handoff_offer(reason, content_id):
            self.say(message)
        self.set_pending(PENDING_HANDOFF_OFFER)

    def hand_off(self, contact_topic: str) -> None:
        """Say what will happen and how to reach the steunpunt directly (vetted content).
        The slot makes the rules start the handoff form, which ends in a ticket."""
        self.say({"response": "utter_handoff_start"})
        topic = self.servable(contact_topic)
        if topic is not None:  # no "Zie ook" here: the handoff form's questions come next
            self.say(replies.answer(topic, self.audience, region=self.region,
                                    facts=self.library.facts(self.region)))
        self.events.append(SlotSet("handoff_requested", True))

    def set_audience(self, audience: str) -> None:
        self.audience = audience
        self.events += [SlotSet("audience", audience), SlotSet("audience_asked", True)]
        last = self.servable(self.tracker.get_slot("last_topic"))
        if last is not None and last.text_for(audience) != last.text_for(None):
            self.say({"response": "utter_audience_reanswer"})
            self.answer(last.id, may_ask_audience=False)
        else:
            self.say({"response": "utter_audience_noted"})
