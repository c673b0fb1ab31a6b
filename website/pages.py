"""What the content pages show: topics grouped by phase and audience, and search over them.

Pure functions over `Topic`s, so the grouping and the search are tested without a server."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

from library import AUDIENCE_PARENT, AUDIENCE_YOUTH, PHASES, Topic

#: Audience id -> (path prefix of its pages, heading on the index).
AUDIENCES = {
    AUDIENCE_PARENT: ("ouders", "Voor ouders en verzorgers"),
    AUDIENCE_YOUTH: ("jongeren", "Voor jongeren"),
}
AUDIENCE_BY_PATH = {path: audience for audience, (path, _) in AUDIENCES.items()}
MAX_QUERY_CHARS = 200
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class PhaseGroup:
    phase: str
    heading: str
    topics: Tuple[Topic, ...]


def by_phase(topics: Iterable[Topic]) -> List[PhaseGroup]:
    """Every topic under each of its phases (PO, overstap PO-VO, VO), sorted by label."""
    ordered = sorted(topics, key=lambda topic: topic.label.casefold())
    return [
        PhaseGroup(phase, heading, tuple(t for t in ordered if phase in t.phases))
        for phase, heading in PHASES.items()
    ]


def for_audience(topics: Iterable[Topic], audience: str) -> List[Topic]:
    """Youths get the topics with a youth wording; parents get every topic."""
    return [t for t in topics if audience == AUDIENCE_PARENT or t.youth_text]


def _words(text: str) -> List[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return _WORD.findall("".join(ch for ch in folded if not unicodedata.combining(ch)))


def clean_query(text: str) -> str:
    """A typed query as it may be shown and searched: control characters and line breaks
    become spaces; invisible formatting characters (bidi overrides such as U+202E, zero-width
    spaces, soft hyphens) and unassigned or private code points are dropped, so an echoed
    query cannot turn the page's text around; spaces are collapsed, the length is capped."""
    kept = []
    for character in text[: MAX_QUERY_CHARS * 4]:
        category = unicodedata.category(character)
        if category in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif not category.startswith("C"):  # Cf, Cs, Co, Cn: invisible or not a character
            kept.append(character)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARS]


def search(topics: Iterable[Topic], query: str, audience: str) -> List[Topic]:
    """Topics whose title, label or text (for this audience) contain every word of the query
    (a word matches the start of a word, so "tlv" finds "TLV-aanvraag"); title hits first."""
    words = _words(query[:MAX_QUERY_CHARS])
    if not words:
        return []
    scored: List[Tuple[int, str, Topic]] = []
    for topic in topics:
        head = _words(f"{topic.title} {topic.label}")
        body = _words(topic.text_for(audience))
        if all(any(w.startswith(word) for w in head + body) for word in words):
            score = sum(any(w.startswith(word) for w in head) for word in words)
            scored.append((-score, topic.label.casefold(), topic))
    return [topic for *_, topic in sorted(scored, key=lambda item: item[:2])]


def audience_of(path: str) -> Optional[str]:
    return AUDIENCE_BY_PATH.get(path)


def page_path(topic_id: str, audience: str) -> str:
    return f"/{AUDIENCES[audience][0]}/{topic_id}"
