"""Questions about the region's schools (issue 28), answered from its school directory.

`decide` says SCHOOLS for the intent `ask_schools`; here the question is read (the entities
Rasa found, checked against the region's own directory, else the words of the text) and the
directory searched. Never a guess: a region without a directory says so and gives the general
answer on choosing a school; a school name that is not in the region's directory is said to be
unknown, with the list to look in; at most MAX_IN_CHAT schools in the chat, with a link to the
full list on the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlencode

from schools import model, words
from schools.model import Directory, School
from steunpunt import settings
from steunpunt.turn import TurnContext

MAX_IN_CHAT = 5
#: A kind as the site's filter writes it in `?soort=` (website/schools.py KIND_FILTERS).
SITE_KINDS = {"PO": "po", "VO": "vo", "(V)SO": "vso-so", "vmbo-t": "vmbo"}
#: The general topic on choosing a school: the answer when the region has no directory.
SCHOOL_CHOICE_TOPIC = "schoolkeuze"


@dataclass(frozen=True)
class Query:
    kind: Optional[str] = None  # as schools.model.matches_kind understands it
    place: Optional[str] = None
    name: Optional[str] = None  # a school asked for by name


@dataclass(frozen=True)
class Found:
    """What the directory says to a question (no directory: `has_directory` False)."""

    region: str
    query: Query
    has_directory: bool
    schools: Tuple[School, ...] = ()
    #: A name asked for that no school of the region has.
    unknown_name: Optional[str] = None

    @property
    def signal_reason(self) -> str:
        """What the analyst counts: the kind asked for ("naam" for one school, "alle")."""
        if self.query.name or self.unknown_name:
            return "naam"
        return self.query.kind or "alle"

    @property
    def signal_place(self) -> Optional[str]:
        return f"plaats:{model.folded(self.query.place)}" if self.query.place else None


def _entity(entities: Sequence[Mapping[str, Any]], name: str) -> Optional[str]:
    for entity in entities:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            return entity["value"]
    return None


def read_question(text: str, entities: Sequence[Mapping[str, Any]], directory: Optional[Directory]) -> Query:
    """The kind, place and school name of a question. Rasa's entities first; a place or name
    counts only when the region's directory has it (an entity learned from another region's
    data brings nothing of that region)."""
    kind = words.canonical_kind(_entity(entities, "school_kind")) or words.kind_in(text)
    if directory is None:
        return Query(kind=kind)
    place = None
    entity_place = _entity(entities, "place")
    if entity_place and model.folded(entity_place) in {model.folded(p) for p in _places(directory)}:
        place = entity_place
    place = place or words.place_in(text, directory)
    name = None
    entity_name = _entity(entities, "school_name")
    if entity_name and model.search(directory, name=entity_name):
        name = entity_name
    elif named := words.schools_named(text, directory):
        name = words.short_names(named[0])[-1]
    return Query(kind=kind, place=place, name=name)


def _places(directory: Directory) -> List[str]:
    return [p for s in directory.schools for p in (s.place, s.gemeente) if p]


def about_one_school(region: str, text: str) -> bool:
    """Whether a question asks for one school's details (its SOP, website, address), whatever
    the classifier made of it: a school's name is no word it was trained on, so "heeft de
    Zonnebloem een sop?" can look to it like the general question about the SOP. Such a
    question gets that school from the list, or is told the name is not known."""
    return words.asks_about_one_school(text, lambda: model.load(region))


def look_up(turn: TurnContext, text: str, entities: Sequence[Mapping[str, Any]]) -> Found:
    directory = model.load(turn.region)
    query = read_question(text or "", entities, directory)
    if directory is None:
        return Found(turn.region, query, has_directory=False)
    if query.name:
        return Found(turn.region, query, True, tuple(model.search(directory, name=query.name)))
    asked = words.asked_name(text or "")
    if asked and not query.kind and not query.place:
        return Found(turn.region, query, True, unknown_name=asked)
    return Found(turn.region, query, True, tuple(model.search(directory, kind=query.kind, place=query.place)))


# --- the reply -------------------------------------------------------------------------------------
def list_url(region: str, query: Optional[Query] = None) -> str:
    """The full list on the site (filtered like the question), as an absolute URL: the text
    version goes to channels without the site around it (WhatsApp)."""
    site = settings.SITE_ORIGINS[0] if settings.SITE_ORIGINS else ""
    path = "/scholen" if region == settings.DEFAULT_REGION else f"/{region}/scholen"
    params = {}
    if query is not None and query.place:
        params["plaats"] = query.place
    if query is not None and query.kind:
        params["soort"] = SITE_KINDS.get(query.kind, query.kind)
    return site + path + (f"?{urlencode(params)}" if params else "")


def web_address(value: str) -> Optional[str]:
    """A school's website as a link that can be followed: http(s) as given, a bare domain
    ("www.school.nl", as DUO often writes it) with https://, anything else not at all."""
    value = (value or "").strip()
    if re.fullmatch(r"https?://[^\s<>\"']+", value, re.IGNORECASE):
        return value
    if re.fullmatch(r"[\w.-]+\.[a-z]{2,}(/[^\s<>\"']*)?", value, re.IGNORECASE):
        return "https://" + value
    return None


def school_url(region: str, school: School) -> str:
    return list_url(region).split("?")[0] + f"/{school.slug}"


def payload(found: Found) -> Dict[str, Any]:
    shown = found.schools[:MAX_IN_CHAT]
    return {
        "type": "schools",
        "region": found.region,
        "schools": [
            {
                "name": s.name,
                "place": s.place,
                "type": words.kind_label(s),
                "url": web_address(s.website) or school_url(found.region, s),
                "page_url": school_url(found.region, s),
                "sop_url": s.sop_url or None,
            }
            for s in shown
        ],
        "total": len(found.schools),
        "more_url": list_url(found.region, found.query),
    }


def _what(query: Query) -> str:
    what = words.KIND_NAMES.get(query.kind or "", "scholen")
    return f"{what} in {query.place}" if query.place else f"{what} in deze regio"


def text(found: Found) -> str:
    """The text version of the answer (also what REST and WhatsApp users read)."""
    more = list_url(found.region, found.query)
    if found.unknown_name:
        return (
            f"Ik ken geen school met de naam '{found.unknown_name}' in deze regio. "
            f"Kijk in de lijst met alle scholen: {list_url(found.region)}"
        )
    if not found.schools:
        if found.query.name:
            return f"Ik ken geen school met de naam '{found.query.name}' in deze regio. Alle scholen: {more}"
        return (
            f"Ik vind geen {_what(found.query)}. Bekijk alle scholen van de regio: {list_url(found.region)}"
        )
    lines = []
    for school in found.schools[:MAX_IN_CHAT]:
        line = f"- {school.name}, {school.place} ({words.kind_label(school)})"
        if web_address(school.website):
            line += f"\n  Website: {web_address(school.website)}"
        line += (
            f"\n  Schoolondersteuningsprofiel: {school.sop_url}"
            if school.sop_url
            else "\n  Schoolondersteuningsprofiel: nog geen link bekend; vraag het de school"
        )
        lines.append(line)
    if found.query.name:
        head = (
            "Dit weet ik van deze school:" if len(found.schools) == 1 else "Deze scholen passen bij die naam:"
        )
    else:
        count = len(found.schools)
        head = f"Ik vond {count} {_what(found.query)}" + (
            ":" if count <= MAX_IN_CHAT else f". De eerste {MAX_IN_CHAT}:"
        )
    tail = f"\n\nAlle gegevens en de volledige lijst: {more}"
    return head + "\n" + "\n".join(lines) + tail


def messages(found: Found) -> List[Dict[str, Any]]:
    """The bot's messages; without a directory, the caller adds the general school-choice answer."""
    if not found.has_directory:
        return [
            {
                "response": "utter_schools_no_data",
                "json_message": {"type": "schools", "region": found.region, "schools": [], "more_url": None},
            }
        ]
    return [{"text": text(found), "json_message": payload(found)}]
