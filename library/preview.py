"""A topic as a reader in a region would get it, before or after publishing: the "Voorbeeld".

Why here: the staff app's preview (issue 26, item 3) must show a topic with a chosen region's
facts in its placeholders, for the published file and for a concept that exists only in an
editor's form. Both go through `preview`, which takes a parsed `Topic`: a concept's text is
parsed by `draft_topic` (the same checks as the library's, placeholders left open), and
`preview` fills the placeholders with the region's facts and makes the answer payload the bot
and the site render (library/render.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Dict, List, Mapping, Optional

from library.catalogue import ContentLibrary
from library.model import WHOLE, Topic
from library.parse import _PLACEHOLDER, apply_sections, parse_topic
from library.render import answer_payload


class _Open(dict):
    """Facts that leave every placeholder as it is (`{name}` stays `{name}`); `.get` still
    gives the region's real values (its own websites count as sources of its own texts)."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __getitem__(self, key: str) -> str:
        return "{" + key + "}"


def open_facts(real: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """Facts for parsing a concept: its placeholders stay open for `preview`."""
    return _Open(real or {})


def fill_open(text: Optional[str], facts: Mapping[str, str], missing: List[str]) -> Optional[str]:
    """`text` with its remaining placeholders filled; names without a fact go to `missing`."""
    if text is None:
        return None

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name in facts:
            return facts[name]
        if name not in missing:
            missing.append(name)
        return match.group(0)

    return _PLACEHOLDER.sub(one, text)


def draft_topic(
    library: ContentLibrary, text: str, topic_id: str, region: Optional[str] = None, own: bool = False
) -> Topic:
    """A topic file's text (e.g. an unpublished concept) as the library would serve it in
    `region`: a national text with the region's own sections over it, or (`own`) the region's
    own whole topic. Placeholders stay open for `preview`. ContentError says what is wrong."""
    today = library.today()
    region = region or library.default_region
    facts = open_facts(library.facts(region))
    if own:
        return parse_topic(text, topic_id, facts, today, region=region)
    topic = parse_topic(text, topic_id, open_facts(), today)
    if region != library.default_region and library.regions_dir is not None:
        sections = library.regions_dir / region / "sections" / f"{topic_id}.md"
        if sections.is_file():
            topic = apply_sections(topic, sections.read_text(encoding="utf-8"), facts, today, region)
    return topic


@dataclass(frozen=True)
class Preview:
    topic: Topic
    region: str
    audience: str
    facts: Dict[str, str]
    payload: Dict[str, Any]
    related: List[Topic]
    #: Past its review date: the site and the bot show "wordt gecontroleerd" instead.
    overdue: bool
    #: Placeholders with no fact in this region (the library would refuse such a text).
    missing: List[str]
    #: The region has a whole topic of its own with this id: this text is not what it shows.
    replaced_by_region: bool = False


def preview(
    library: ContentLibrary, topic: Topic, region: Optional[str], audience: str, today: Optional[date] = None
) -> Preview:
    """`topic` (published or a concept) as a reader of `audience` in `region` would get it, on
    the site and in the widget: the region's facts in its placeholders, the payload of
    library/render.py, its related topics as that region serves them."""
    region = region if region in library.regions() else library.default_region
    facts = library.facts(region)
    missing: List[str] = []
    filled = replace(
        topic,
        parent_text=fill_open(topic.parent_text, facts, missing) or "",
        youth_text=fill_open(topic.youth_text, facts, missing),
        regional_text=fill_open(topic.regional_text, facts, missing),
    )
    served = library.lookup(topic.id, region)
    related = library.related(filled, region)
    return Preview(
        topic=filled,
        region=region,
        audience=audience,
        facts=facts,
        payload=answer_payload(filled, audience, related, region, facts),
        related=related,
        overdue=filled.is_overdue(today or library.today()),
        missing=missing,
        replaced_by_region=bool(
            served is not None
            and served.region == region
            and WHOLE in served.regional_parts
            and not topic.regional_parts
        ),
    )
