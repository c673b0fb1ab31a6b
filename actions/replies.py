"""What the bot sends for each outcome: text plus a machine-readable payload.

Every user-facing outcome carries a `custom` payload (`type` answer, clarify, handoff_offer,
...) so that the widget can render it and tests and analysts can read it. Fixed phrases are
responses in `domain.yml` (editable there, worded to suit parents and youths alike); only
topic answers are built here, from the vetted content.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from library.model import Topic, intent_for_topic
from library.render import answer_payload, blocks_text

Message = Dict[str, Any]


def answer(
    topic: Topic,
    audience: Optional[str],
    related: Sequence[Topic] = (),
    region: Optional[str] = None,
    facts: Optional[Mapping[str, str]] = None,
) -> Message:
    """The vetted answer, with its sources and review date visible to the reader, and a
    "Zie ook" button per related topic (its payload is that topic's intent)."""
    payload = answer_payload(topic, audience, related, region, facts)
    if len(topic.sources) == 1:
        source = topic.sources[0]
        source_lines = f"Bron: {source.title} ({source.url})"
    else:
        source_lines = "Bronnen:\n" + "\n".join(f"- {s.title} ({s.url})" for s in topic.sources)
    text = (
        f"{blocks_text(payload['blocks'])}\n\n{source_lines}\nGecontroleerd op {payload['reviewed_on_text']}."
    )
    message: Message = {"text": text, "json_message": payload}
    if related:
        message["buttons"] = [topic_button(t) for t in related]
    return message


def topic_button(topic: Topic) -> Dict[str, str]:
    return {"title": topic.label, "payload": "/" + intent_for_topic(topic.id)}


#: The last clarification button: none of the topics is meant, so the bot offers a person.
NONE_OF_THESE = {"title": "Iets anders", "payload": "/deny"}


def clarify(topics: Sequence[Topic]) -> Message:
    """Ask which topic is meant, one button per candidate (its payload is the topic intent),
    and one for "something else", which says no, so the bot offers a person."""
    return {
        "response": "utter_clarify",
        "buttons": [topic_button(t) for t in topics] + [dict(NONE_OF_THESE)],
        "json_message": {"type": "clarify", "candidates": [t.id for t in topics]},
    }


#: "I only speak Dutch, a colleague can help: press 'Ja, graag'" in the language a question was
#: written in (steunpunt/language.py), so the offer is understood. One fixed response per
#: language in domain.yml, where each says whether a native speaker has checked it.
LANGUAGE_NOTICES = {
    "en": "utter_reason_other_language_en",
    "tr": "utter_reason_other_language_tr",
    "pl": "utter_reason_other_language_pl",
    "uk": "utter_reason_other_language_uk",
    "ar": "utter_reason_other_language_ar",
}


def handoff_offer(
    reason: str, content_id: Optional[str] = None, language: Optional[str] = None
) -> List[Message]:
    """Say why the bot does not answer, then offer a person (yes/no buttons in the domain).
    A question in another language hears why in that language (the text's first paragraph;
    the payload names the language so the widget can mark it for screen readers)."""
    payload: Dict[str, Any] = {"type": "handoff_offer", "reason": reason}
    if content_id:
        payload["content_id"] = content_id
    reason_message: Message = {"response": f"utter_reason_{reason}"}
    if reason == "other_language" and language in LANGUAGE_NOTICES:
        reason_message = {
            "response": LANGUAGE_NOTICES[language],
            "json_message": {"type": "language_notice", "language": language},
        }
        payload["language"] = language
    return [reason_message, {"response": "utter_handoff_offer", "json_message": payload}]


def ask_audience() -> Message:
    return {"response": "utter_ask_audience", "json_message": {"type": "ask_audience"}}


def ask_feedback(topic_id: str) -> Message:
    """'Had je hier iets aan?' with ja/nee buttons; ignoring it and asking on is fine."""
    return {"response": "utter_ask_feedback", "json_message": {"type": "feedback", "content_id": topic_id}}
