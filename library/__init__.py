"""The content domain: vetted topics per region, their checks, hot reload and rendering.

Used by every process through its public names: the action server (answers), the public site
(pages), the staff app (ticket topics) and the Rasa server's status endpoint. One library per
process: `shared()`.
"""

from library.catalogue import ContentLibrary, RegionView, region_problems, shared
from library.hours import OpeningHours
from library.model import (
    OFFICIAL_DOMAINS,
    PHASES,
    ContentError,
    Source,
    Topic,
    intent_for_topic,
    is_official,
    topic_for_intent,
)
from library.parse import read_region_file, unfilled_facts
from library.render import answer_payload, blocks_text, text_blocks
from steunpunt.audience import AUDIENCE_PARENT, AUDIENCE_YOUTH, AUDIENCES

__all__ = [
    "AUDIENCES",
    "AUDIENCE_PARENT",
    "AUDIENCE_YOUTH",
    "OFFICIAL_DOMAINS",
    "PHASES",
    "ContentError",
    "ContentLibrary",
    "OpeningHours",
    "RegionView",
    "Source",
    "Topic",
    "answer_payload",
    "blocks_text",
    "intent_for_topic",
    "is_official",
    "read_region_file",
    "region_problems",
    "shared",
    "text_blocks",
    "topic_for_intent",
    "unfilled_facts",
]
