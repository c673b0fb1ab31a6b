"""What the bot sends for each outcome: text plus a machine-readable payload.

Every user-facing outcome carries a `custom` payload (`type` answer, clarify, handoff_offer,
...) so that the widget can render it and tests and analysts can read it. Fixed phrases are
responses in `domain.yml` (editable there, worded to suit parents and youths alike); only
topic answers are built here, from the vetted content.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional, Sequence

from actions.content import Topic, intent_for_topic

Message = Dict[str, Any]

_MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()


def dutch_date(day: date) -> str:
    """24 november 2026: the way a Dutch reader expects a date."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def answer_payload(topic: Topic, audience: Optional[str]) -> Dict[str, Any]:
    return {
        "type": "answer",
        "content_id": topic.id,
        "title": topic.title,
        "audience": audience,
        "sources": [{"title": s.title, "url": s.url} for s in topic.sources],
        "reviewed_on": topic.reviewed_on.isoformat(),
    }


def answer(topic: Topic, audience: Optional[str]) -> Message:
    """The vetted answer, with its sources and review date visible to the reader."""
    if len(topic.sources) == 1:
        source = topic.sources[0]
        source_lines = f"Bron: {source.title} ({source.url})"
    else:
        source_lines = "Bronnen:\n" + "\n".join(f"- {s.title} ({s.url})" for s in topic.sources)
    text = (
        f"{topic.text_for(audience)}\n\n{source_lines}\n"
        f"Gecontroleerd op {dutch_date(topic.reviewed_on)}."
    )
    return {"text": text, "json_message": answer_payload(topic, audience)}


def clarify(topics: Sequence[Topic]) -> Message:
    """Ask which topic is meant, one button per candidate (its payload is the topic intent)."""
    return {
        "response": "utter_clarify",
        "buttons": [{"title": t.label, "payload": "/" + intent_for_topic(t.id)} for t in topics],
        "json_message": {"type": "clarify", "candidates": [t.id for t in topics]},
    }


def handoff_offer(reason: str, content_id: Optional[str] = None) -> List[Message]:
    """Say why the bot does not answer, then offer a person (yes/no buttons in the domain)."""
    payload: Dict[str, Any] = {"type": "handoff_offer", "reason": reason}
    if content_id:
        payload["content_id"] = content_id
    return [
        {"response": f"utter_reason_{reason}"},
        {"response": "utter_handoff_offer", "json_message": payload},
    ]


def ask_audience() -> Message:
    return {"response": "utter_ask_audience", "json_message": {"type": "ask_audience"}}


def ask_feedback(topic_id: str) -> Message:
    """'Had je hier iets aan?' with ja/nee buttons; ignoring it and asking on is fine."""
    return {"response": "utter_ask_feedback",
            "json_message": {"type": "feedback", "content_id": topic_id}}
