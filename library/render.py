"""A topic as a reader gets it: text blocks, sources, review date, related topics.

Why here, in the content domain: the bot's answer (actions/replies.py), the topic's web page
(website/) and later channels (WhatsApp) all render from this one payload, so a list looks
like a list everywhere and a regional text is marked the same way everywhere.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

from library.model import Topic
from steunpunt.clock import dutch_date


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


def regional_blocks(topic: Topic, audience: Optional[str], facts: Mapping[str, str]) -> List[Dict[str, Any]]:
    """The answer's blocks, saying which part a region wrote: a note before a text the region
    replaced, and its "In onze regio" section after the national text. Regional blocks carry
    `"regional": true`, so the widget and the pages can mark them too."""
    name = facts.get("swv_naam") or "deze regio"
    blocks = text_blocks(topic.text_for(audience))
    if topic.is_regional_for(audience):
        blocks = [{"type": "paragraph", "text": f"Dit antwoord is van {name}.", "regional": True}] + [
            {**block, "regional": True} for block in blocks
        ]
    if topic.regional_text:
        blocks += [{"type": "paragraph", "text": f"In onze regio ({name}):", "regional": True}] + [
            {**block, "regional": True} for block in text_blocks(topic.regional_text)
        ]
    return blocks


def answer_payload(
    topic: Topic,
    audience: Optional[str],
    related: Sequence[Topic] = (),
    region: Optional[str] = None,
    facts: Optional[Mapping[str, str]] = None,
) -> Dict[str, Any]:
    """What a reader gets for a topic: text blocks, sources, review date and related topics,
    and the region whose version it is. The bot's answer and the topic's web page are both
    rendered from this payload."""
    regional = (["tekst"] if topic.is_regional_for(audience) else []) + (
        ["in onze regio"] if topic.regional_text else []
    )
    return {
        "type": "answer",
        "content_id": topic.id,
        "title": topic.title,
        "audience": audience,
        "region": region or topic.region,
        "regional": regional,
        "blocks": regional_blocks(topic, audience, facts or {}),
        "sources": [{"title": s.title, "url": s.url} for s in topic.sources],
        "reviewed_on": topic.reviewed_on.isoformat(),
        # as readers see it, written here once for the bot's text, the page and the widget
        "reviewed_on_text": dutch_date(topic.reviewed_on),
        "related": [t.id for t in related],
    }
