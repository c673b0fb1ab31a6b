"""What the bot sends for each outcome: text plus a machine-readable payload.

Every user-facing outcome carries a `custom` payload (`type` answer, clarify, handoff_offer,
...) so that the widget can render it and tests and analysts can read it. Fixed phrases are
responses in `domain.yml` (editable there, worded to suit parents and youths alike); only
topic answers are built here, from the vetted content.
"""
from __future__ import annotations

import re
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


def text_blocks(text: str) -> List[Dict[str, Any]]:
    """A content text as paragraphs and bullet lists (`- item` lines), in reading order.

    The one reading of a content text: the bot's plain text, the widget and the web pages are
    all made from these blocks, so a list looks like a list everywhere."""
    blocks: List[Dict[str, Any]] = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        for line in (line.strip() for line in chunk.splitlines()):
            if not line:
                continue
            if line.startswith("- "):
                if not blocks or blocks[-1]["type"] != "list" or blocks[-1].get("_closed"):
                    blocks.append({"type": "list", "items": []})
                blocks[-1]["items"].append(line[2:].strip())
            elif blocks and blocks[-1]["type"] == "paragraph" and not blocks[-1].get("_closed"):
                blocks[-1]["text"] += " " + line
            else:
                blocks.append({"type": "paragraph", "text": line})
        if blocks:
            blocks[-1]["_closed"] = True
    for block in blocks:
        block.pop("_closed", None)
    return blocks


def blocks_text(blocks: Sequence[Dict[str, Any]]) -> str:
    """Blocks back to plain text for channels without markup (REST, later WhatsApp)."""
    parts = []
    for block in blocks:
        if block["type"] == "list":
            parts.append("\n".join(f"- {item}" for item in block["items"]))
        else:
            parts.append(block["text"])
    return "\n\n".join(parts)


def regional_blocks(topic: Topic, audience: Optional[str], regio: Dict[str, str]) -> List[Dict[str, Any]]:
    """The answer's blocks, saying which part a region wrote: a note before a text the region
    replaced, and its "In onze regio" section after the national text. Regional blocks carry
    `"regional": true`, so the widget and the pages can mark them too."""
    name = regio.get("swv_naam") or "deze regio"
    blocks = text_blocks(topic.text_for(audience))
    if topic.is_regional_for(audience):
        blocks = [{"type": "paragraph", "text": f"Dit antwoord is van {name}.", "regional": True}] + [
            {**block, "regional": True} for block in blocks]
    if topic.regional_text:
        blocks += [{"type": "paragraph", "text": f"In onze regio ({name}):", "regional": True}] + [
            {**block, "regional": True} for block in text_blocks(topic.regional_text)]
    return blocks


def answer_payload(topic: Topic, audience: Optional[str], related: Sequence[Topic] = (),
                   region: Optional[str] = None, regio: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """What a reader gets for a topic: text blocks, sources, review date and related topics,
    and the region whose version it is. The bot's answer and the topic's web page are both
    rendered from this payload."""
    regional = (["tekst"] if topic.is_regional_for(audience) else []) + (
        ["in onze regio"] if topic.regional_text else [])
    return {
        "type": "answer",
        "content_id": topic.id,
        "title": topic.title,
        "audience": audience,
        "region": region or topic.region,
        "regional": regional,
        "blocks": regional_blocks(topic, audience, regio or {}),
        "sources": [{"title": s.title, "url": s.url} for s in topic.sources],
        "reviewed_on": topic.reviewed_on.isoformat(),
        "related": [t.id for t in related],
    }


def answer(topic: Topic, audience: Optional[str], related: Sequence[Topic] = (),
           region: Optional[str] = None, regio: Optional[Dict[str, str]] = None) -> Message:
    """The vetted answer, with its sources and review date visible to the reader, and a
    "Zie ook" button per related topic (its payload is that topic's intent)."""
    payload = answer_payload(topic, audience, related, region, regio)
    if len(topic.sources) == 1:
        source = topic.sources[0]
        source_lines = f"Bron: {source.title} ({source.url})"
    else:
        source_lines = "Bronnen:\n" + "\n".join(f"- {s.title} ({s.url})" for s in topic.sources)
    text = (
        f"{blocks_text(payload['blocks'])}\n\n{source_lines}\n"
        f"Gecontroleerd op {dutch_date(topic.reviewed_on)}."
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
