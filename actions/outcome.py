"""The one place where a turn's outcome is decided.

Given what NLU understood and what the bot asked last, `decide` says what the bot does:
answer a topic, ask which topic is meant, offer a person, or hand off. It is a pure function,
so the action server, the evaluation tools and the tests all use the very same decision, and
the turn's signal records exactly the outcome decided here (signals.record.signal_for).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, FrozenSet, Iterable, Mapping, Optional, Tuple

from library import topic_for_intent
from steunpunt import settings
from steunpunt.audience import AUDIENCE_PARENT, AUDIENCE_YOUTH

# What the bot does this turn.
ANSWER = "answer"
CLARIFY = "clarify"
HANDOFF_OFFER = "handoff_offer"
HANDOFF = "handoff"
SET_AUDIENCE = "set_audience"
DECLINED = "declined"
PROMPT = "prompt"
FEEDBACK = "feedback"  # reason "positive" or "negative", content_id the answered topic
SMALLTALK = "smalltalk"  # reason: the intent (greet, goodbye, thank, bot_challenge)
LIVE_OFFER = "live_offer"  # a person is available now: chat now, or leave a question?
LIVE_QUEUED = "live_queued"  # joined the region's queue for a live chat
LIVE_ENDED = "live_ended"  # the staff member ended the live chat: "Had je hier iets aan?"
SCHOOLS = "schools"  # the region's schools, from its directory (actions/schools.py)

# What the bot asked last turn, kept in the `pending` slot.
PENDING_CLARIFY = "clarify"
PENDING_HANDOFF_OFFER = "handoff_offer"
PENDING_FEEDBACK = "feedback"  # "Had je hier iets aan?" after an answer
PENDING_LIVE_OFFER = "live_offer"  # "Wil je nu chatten met een medewerker?"
PENDING_LIVE_FEEDBACK = "live_feedback"  # "Had je hier iets aan?" after a live chat

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
#: A handoff also shows this topic (how to reach the steunpunt directly) before the form.
CONTACT_TOPIC = "steunpunt-contact"
AUDIENCE_INTENTS = {"iam_parent": AUDIENCE_PARENT, "iam_youth": AUDIENCE_YOUTH}
SMALLTALK_INTENTS = ("greet", "goodbye", "thank", "bot_challenge")
SCHOOLS_INTENT = "ask_schools"
#: Sent by the widget's buttons ("Ja, nu chatten" / "Nee, laat een vraag achter") and by the
#: Rasa server itself when a live chat ended or nobody picked it up (channels/live.py).
LIVE_CHAT, LEAVE_QUESTION, LIVE_ENDED_INTENT, LIVE_TIMEOUT = (
    "live_chat",
    "leave_question",
    "live_ended",
    "live_timeout",
)
#: Intents whose outcome depends on whether a person is available now (only these turns ask).
LIVE_INTENTS = ("ask_human", "affirm", LIVE_CHAT)


@dataclass(frozen=True)
class Outcome:
    kind: str
    content_id: Optional[str] = None
    candidates: Tuple[str, ...] = ()
    reason: Optional[str] = None
    audience: Optional[str] = None
    #: ANSWER: ask "ouder of jongere?" after it, instead of "Had je hier iets aan?".
    ask_audience: bool = False


@dataclass(frozen=True)
class Catalogue:
    """What decide() must know of the content in this turn's region, as plain sets: the topics
    it may serve now (valid and within their review date), the servable topics with a youth
    wording of their own, and topics that only other regions have."""

    servable: FrozenSet[str] = frozenset()
    youth_wording: FrozenSet[str] = frozenset()
    elsewhere: FrozenSet[str] = frozenset()


def unservable_reason(topic: str, catalogue: Catalogue) -> str:
    """Why a topic is not answered here: only another region has it, or it is being checked
    (broken, missing or past its review date): never served as fact."""
    return "not_in_region" if topic in catalogue.elsewhere else "being_checked"


def plausible_topics(
    ranking: Iterable[Mapping],
    known_topics: Collection[str],
    min_confidence: Optional[float] = None,
    max_options: Optional[int] = None,
    out_of_scope_ratio: Optional[float] = None,
) -> Tuple[str, ...]:
    """Topics worth offering as a button: known content, best first, each with at least
    `min_confidence` and at least `out_of_scope_ratio` times the confidence that the question
    is out of scope (so a question about something else gets a person, not a row of guesses).
    Unset limits are read from steunpunt.settings at each call."""
    min_confidence = settings.CLARIFY_MIN_CONFIDENCE if min_confidence is None else min_confidence
    max_options = settings.CLARIFY_MAX_OPTIONS if max_options is None else max_options
    if out_of_scope_ratio is None:
        out_of_scope_ratio = settings.CLARIFY_OUT_OF_SCOPE_RATIO
    ranked = sorted(ranking, key=lambda e: e.get("confidence") or 0.0, reverse=True)
    out_of_scope = next((e.get("confidence") or 0.0 for e in ranked if e.get("name") == OUT_OF_SCOPE), 0.0)
    floor = max(min_confidence, out_of_scope_ratio * out_of_scope)
    candidates = []
    for entry in ranked:
        topic = topic_for_intent(entry.get("name"))
        if topic is not None and topic in known_topics and (entry.get("confidence") or 0.0) >= floor:
            candidates.append(topic)
    return tuple(candidates[:max_options])


def decide(
    intent: Optional[str],
    ranking: Iterable[Mapping],
    pending: Optional[str],
    known_topics: Collection[str],
    last_topic: Optional[str] = None,
    other_language: Optional[str] = None,
    catalogue: Optional[Catalogue] = None,
    audience: Optional[str] = None,
    audience_asked: bool = False,
    live_available: bool = False,
    about_one_school: bool = False,
    outside_school: bool = False,
) -> Outcome:
    """Decide this turn's outcome. Unsure never means guessing: it means asking or a person.

    `known_topics`: the topics servable in this turn's region (`catalogue.servable` when a
    catalogue is given; evaluation scripts pass just these). An asked topic that cannot be
    served is an offer of a person, with the reason. After an answer the bot asks whether it
    helped (pending "feedback"), or first who it talks to when the answer has a youth wording
    and the audience is unknown and was not asked yet; a yes or no then counts for
    `last_topic`, and any other message is simply the next question. A message plainly in
    another language (`other_language`, see steunpunt/language.py) is not answered with Dutch
    content: the user is told the assistant speaks Dutch and offered a person.

    A request for a person (or accepting the offer) is first an offer of a live chat when
    `live_available` (someone of the region is available in opening hours, on a channel that
    can carry it): yes joins the queue, no leaves a question (the ticket flow). A live chat
    that ended asks whether it helped; one that nobody picked up becomes the ticket flow.

    `about_one_school`: the words ask for one school's details (its SOP, website, address;
    actions/schools.py): that is a question about the region's schools whatever intent the
    classifier gave, since a school's name is no word it was trained on.

    `outside_school`: the words name a life area outside a child's schooling (the parent's own
    work, a driving exam, care for a grandparent: steunpunt/near_domain.py). A topic answer or
    clarify buttons then become the out-of-scope offer of a person (issue 30)."""
    if about_one_school:
        intent = SCHOOLS_INTENT
    catalogue = catalogue or Catalogue(servable=frozenset(known_topics))
    servable = catalogue.servable
    # A handoff shows how to reach the steunpunt directly when that text can be served.
    contact = CONTACT_TOPIC if CONTACT_TOPIC in servable else None
    live = _live_outcome(intent, pending, live_available, contact)
    if live is not None:
        return live
    if other_language:
        return Outcome(HANDOFF_OFFER, reason="other_language")
    feedback_for = last_topic if pending == PENDING_FEEDBACK else None
    topic = topic_for_intent(intent)
    if outside_school and (topic is not None or intent == FALLBACK_INTENT):
        return Outcome(HANDOFF_OFFER, reason="out_of_scope")
    if topic is not None:
        if topic not in servable:
            return Outcome(HANDOFF_OFFER, reason=unservable_reason(topic, catalogue), content_id=topic)
        return Outcome(
            ANSWER,
            content_id=topic,
            ask_audience=(audience is None and topic in catalogue.youth_wording and not audience_asked),
        )
    if intent == FALLBACK_INTENT:
        candidates = plausible_topics(ranking, servable)
        if candidates:
            return Outcome(CLARIFY, candidates=candidates)
        return Outcome(HANDOFF_OFFER, reason="not_understood")
    if intent in AUDIENCE_INTENTS:
        chosen = AUDIENCE_INTENTS[intent]
        # The last answer again, now in the youth wording, when there is one.
        again = last_topic if chosen == AUDIENCE_YOUTH and last_topic in catalogue.youth_wording else None
        return Outcome(SET_AUDIENCE, audience=chosen, content_id=again)
    if intent == "ask_human":
        return Outcome(HANDOFF, content_id=contact, reason="asked")
    if intent == "not_helpful":
        if feedback_for:
            return Outcome(FEEDBACK, content_id=feedback_for, reason="negative")
        return Outcome(HANDOFF_OFFER, reason="not_helpful")
    if intent == "affirm":
        if pending == PENDING_HANDOFF_OFFER:
            return Outcome(HANDOFF, content_id=contact, reason="accepted_offer")
        if feedback_for:
            return Outcome(FEEDBACK, content_id=feedback_for, reason="positive")
        return Outcome(PROMPT)
    if intent == "deny":
        if pending == PENDING_HANDOFF_OFFER:
            return Outcome(DECLINED)
        if pending == PENDING_CLARIFY:
            return Outcome(HANDOFF_OFFER, reason="clarify_rejected")
        if feedback_for:
            return Outcome(FEEDBACK, content_id=feedback_for, reason="negative")
        return Outcome(PROMPT)
    if intent in SMALLTALK_INTENTS:
        return Outcome(SMALLTALK, reason=intent)
    if intent == SCHOOLS_INTENT:  # what is asked and found is the directory's (actions/schools.py)
        return Outcome(SCHOOLS)
    # out_of_scope, and anything the rules route here that has no meaning of its own.
    return Outcome(HANDOFF_OFFER, reason="out_of_scope")


def _live_outcome(
    intent: Optional[str], pending: Optional[str], live_available: bool, contact: Optional[str]
) -> Optional[Outcome]:
    """The turns of the live chat, or None when this turn is not one of them."""
    if intent == LIVE_ENDED_INTENT:
        return Outcome(LIVE_ENDED)
    if intent == LIVE_TIMEOUT:  # nobody picked up: the ticket flow, with what was typed
        return Outcome(HANDOFF, content_id=contact, reason="live_timeout")
    if pending == PENDING_LIVE_FEEDBACK and intent in ("affirm", "deny", "not_helpful"):
        return Outcome(FEEDBACK, reason="live_positive" if intent == "affirm" else "live_negative")
    if intent == LEAVE_QUESTION or (intent == "deny" and pending == PENDING_LIVE_OFFER):
        return Outcome(HANDOFF, content_id=contact, reason="chose_ticket")
    if intent == LIVE_CHAT or (intent == "affirm" and pending == PENDING_LIVE_OFFER):
        if live_available:
            return Outcome(LIVE_QUEUED)
        return Outcome(HANDOFF, content_id=contact, reason="live_unavailable")
    wants_person = intent == "ask_human" or (intent == "affirm" and pending == PENDING_HANDOFF_OFFER)
    if wants_person and live_available:
        return Outcome(LIVE_OFFER, reason="asked" if intent == "ask_human" else "accepted_offer")
    return None
