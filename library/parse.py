"""Reading and checking one content file: front matter, sections, sources, placeholders.

A file that breaks a rule raises ContentError with a message in plain Dutch that says what to
fix; the library then never serves it (see library/catalogue.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlparse

import yaml

from library.hours import OpeningHours, parse_hours
from library.model import (
    AUDIENCE_PARENT,
    AUDIENCE_YOUTH,
    PHASES,
    REGIONAL,
    WHOLE,
    ContentError,
    Source,
    Topic,
    is_official,
)

_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
_SECTION = re.compile(r"^##[ \t]+(.+?)[ \t]*$", re.MULTILINE)
_SECTIONS = {"ouders": AUDIENCE_PARENT, "jongeren": AUDIENCE_YOUTH, "in onze regio": REGIONAL}
_LABEL_MAX = 40
#: The structured opening hours in regio.yml, and the fact (placeholder) made from them.
HOURS_KEY = "openingstijden"
HOURS_TEXT = "steunpunt_bereikbaarheid"
_RELATED_MIN, _RELATED_MAX = 2, 4


def _split_front_matter(text: str) -> Tuple[dict, str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError("het bestand moet beginnen met een regel '---' (front matter)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ContentError("de front matter wordt niet afgesloten met een regel '---'") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        raise ContentError(f"de front matter is geen geldige YAML: {error}") from None
    if not isinstance(meta, dict):
        raise ContentError("de front matter moet velden bevatten (id, title, ...)")
    return meta, "\n".join(lines[end + 1 :])


def _split_sections(body: str, regional: bool = False, parents_required: bool = True) -> Dict[str, str]:
    """The `## Ouders` / `## Jongeren` texts (and, in a region's files, `## In onze regio`)."""
    allowed = _SECTIONS if regional else {k: v for k, v in _SECTIONS.items() if v != REGIONAL}
    headings = list(_SECTION.finditer(body))
    if not headings or body[: headings[0].start()].strip():
        raise ContentError("de tekst moet beginnen met een kop, zoals '## Ouders'")
    sections: Dict[str, str] = {}
    for index, heading in enumerate(headings):
        name = heading.group(1).strip().lower()
        if name not in allowed:
            names = " en ".join(f"'## {k[0].upper() + k[1:]}'" for k in allowed)
            raise ContentError(f"onbekende kop '## {heading.group(1)}' (alleen {names})")
        end = headings[index + 1].start() if index + 1 < len(headings) else len(body)
        text = body[heading.end() : end].strip()
        if not text:
            raise ContentError(f"de tekst onder '## {heading.group(1)}' is leeg")
        sections[allowed[name]] = text
    if parents_required and AUDIENCE_PARENT not in sections:
        raise ContentError("de kop '## Ouders' met het antwoord voor ouders ontbreekt")
    return sections


def _as_date(meta: dict, field: str) -> date:
    value = meta.get(field)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"'{field}' moet een datum zijn als 2026-11-24, niet {value!r}") from None


def regional_hosts(facts: Dict[str, str]) -> Tuple[str, ...]:
    """The hosts of a region's own websites: a region's files may cite its own pages (its
    ondersteuningsplan, its procedures) besides the official ones."""
    hosts = []
    for field in ("swv_website", "steunpunt_website"):
        host = (urlparse(facts.get(field, "")).hostname or "").lower()
        if host:
            hosts.append(host)
    return tuple(hosts)


def _sources(meta: dict, own_hosts: Tuple[str, ...] = ()) -> Tuple[Source, ...]:
    raw = meta.get("sources")
    if not isinstance(raw, list) or not raw:
        raise ContentError("'sources' moet minstens één bron hebben (title en url)")
    sources = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("title") or not item.get("url"):
            raise ContentError("elke bron in 'sources' heeft een 'title' en een 'url'")
        url = str(item["url"]).strip()
        parsed = urlparse(url)
        if parsed.scheme != "https" or not parsed.netloc:
            raise ContentError(f"bron-url moet met https:// beginnen: {url}")
        if not is_official(url) and (parsed.hostname or "").lower() not in own_hosts:
            raise ContentError(
                f"bron is geen officiële site (zie OFFICIAL_DOMAINS)"
                f"{' of een site van de regio' if own_hosts else ''}: {url}"
            )
        sources.append(Source(title=str(item["title"]).strip(), url=url))
    return tuple(sources)


def _text_field(meta: dict, field: str) -> str:
    value = meta.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"het veld '{field}' ontbreekt of is leeg")
    return value.strip()


def _id_list(meta: dict, field: str) -> Tuple[str, ...]:
    value = meta.get(field)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ContentError(f"'{field}' moet een lijst zijn, zoals [po, vo]")
    if len(set(value)) != len(value):
        raise ContentError(f"'{field}' noemt hetzelfde twee keer")
    return tuple(value)


def _phases(meta: dict) -> Tuple[str, ...]:
    phases = _id_list(meta, "phases")
    unknown = [phase for phase in phases if phase not in PHASES]
    if not phases or unknown:
        raise ContentError(
            "'phases' noemt een of meer van: "
            + ", ".join(PHASES)
            + (f" (onbekend: {', '.join(unknown)})" if unknown else "")
        )
    return tuple(phase for phase in PHASES if phase in phases)


def _related(meta: dict, topic_id: str) -> Tuple[str, ...]:
    """Optional (a new topic may not have neighbours yet: the check reports it), else 2 to 4."""
    if meta.get("related") is None:
        return ()
    related = _id_list(meta, "related")
    if not _RELATED_MIN <= len(related) <= _RELATED_MAX:
        raise ContentError(f"'related' noemt {_RELATED_MIN} tot {_RELATED_MAX} andere onderwerpen")
    if topic_id in related:
        raise ContentError("'related' mag het onderwerp zelf niet noemen")
    return related


def _checked_id(meta: dict, expected_id: str) -> str:
    topic_id = _text_field(meta, "id")
    if topic_id != expected_id:
        raise ContentError(f"id '{topic_id}' moet gelijk zijn aan de bestandsnaam '{expected_id}'")
    if not _ID_PATTERN.match(topic_id):
        raise ContentError("id bestaat alleen uit kleine letters, cijfers en streepjes")
    return topic_id


def _review_dates(meta: dict, today: date) -> Tuple[date, date]:
    reviewed_on, review_by = _as_date(meta, "reviewed_on"), _as_date(meta, "review_by")
    if reviewed_on > today:
        raise ContentError(f"'reviewed_on' ({reviewed_on}) ligt in de toekomst")
    if review_by <= reviewed_on:
        raise ContentError("'review_by' moet na 'reviewed_on' liggen")
    return reviewed_on, review_by


def parse_topic(
    text: str, expected_id: str, facts: Dict[str, str], today: date, region: Optional[str] = None
) -> Topic:
    """Check one topic file's text and turn it into a Topic; raise ContentError if it is wrong.
    `region`: the file is a region's own whole topic (it may add '## In onze regio')."""
    meta, body = _split_front_matter(text)
    topic_id = _checked_id(meta, expected_id)
    label = _text_field(meta, "label")
    if len(label) > _LABEL_MAX:
        raise ContentError(f"'label' is langer dan {_LABEL_MAX} tekens")
    reviewed_on, review_by = _review_dates(meta, today)
    sections = {
        key: fill_placeholders(value, facts)
        for key, value in _split_sections(body, regional=region is not None).items()
    }
    return Topic(
        id=topic_id,
        title=_text_field(meta, "title"),
        label=label,
        sources=_sources(meta, regional_hosts(facts) if region else ()),
        reviewed_on=reviewed_on,
        review_by=review_by,
        parent_text=sections[AUDIENCE_PARENT],
        youth_text=sections.get(AUDIENCE_YOUTH),
        phases=_phases(meta),
        related=_related(meta, topic_id),
        region=region,
        regional_parts=(WHOLE,) if region else (),
        regional_text=sections.get(REGIONAL),
    )


def apply_sections(national: Topic, text: str, facts: Dict[str, str], today: date, region: str) -> Topic:
    """A region's `sections/<id>.md` over the national topic: its `## Ouders` or `## Jongeren`
    replaces that text, its `## In onze regio` is added. Its sources come on top of the
    national ones; the earlier review-by date of the two counts."""
    meta, body = _split_front_matter(text)
    _checked_id(meta, national.id)
    reviewed_on, review_by = _review_dates(meta, today)
    sections = {
        key: fill_placeholders(value, facts)
        for key, value in _split_sections(body, regional=True, parents_required=False).items()
    }
    if AUDIENCE_YOUTH in sections and not (national.youth_text or AUDIENCE_PARENT in sections):
        raise ContentError("'## Jongeren' vervangt een jongerentekst die landelijk niet bestaat")
    return replace(
        national,
        sources=national.sources
        + tuple(s for s in _sources(meta, regional_hosts(facts)) if s not in national.sources),
        reviewed_on=min(national.reviewed_on, reviewed_on),
        review_by=min(national.review_by, review_by),
        parent_text=sections.get(AUDIENCE_PARENT, national.parent_text),
        youth_text=sections.get(AUDIENCE_YOUTH, national.youth_text),
        region=region,
        regional_parts=tuple(
            part for part in (AUDIENCE_PARENT, AUDIENCE_YOUTH, REGIONAL) if part in sections
        ),
        regional_text=sections.get(REGIONAL),
    )


def fill_placeholders(text: str, facts: Dict[str, str]) -> str:
    """Put the regional facts into a text; an unknown placeholder is an error, not a blank."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in facts})
    if unknown:
        raise ContentError("onbekende plaatshouder(s): " + ", ".join("{" + n + "}" for n in unknown))
    return _PLACEHOLDER.sub(lambda match: facts[match.group(1)], text)


def read_region_file(path: Path) -> Tuple[Dict[str, str], Optional[OpeningHours]]:
    """Read a region's facts file: a flat mapping of placeholder name to text, plus optional
    structured `openingstijden` (library/hours.py), from which the sentence
    `steunpunt_bereikbaarheid` is made (one truth for the chat's availability and the texts)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name} kan niet gelezen worden: {error}") from None
    if not isinstance(data, dict):
        raise ContentError(f"{path.name} moet per regel 'naam: tekst' bevatten")
    hours = parse_hours(data.pop(HOURS_KEY)) if HOURS_KEY in data else None
    if not all(isinstance(key, str) and isinstance(value, (str, int)) for key, value in data.items()):
        raise ContentError(f"{path.name} moet per regel 'naam: tekst' bevatten")
    facts = {key: str(value).strip() for key, value in data.items()}
    if hours is not None:
        if HOURS_TEXT in facts:
            raise ContentError(
                f"{path.name}: geef '{HOURS_KEY}' of '{HOURS_TEXT}', niet allebei "
                "(de zin wordt uit de openingstijden gemaakt)"
            )
        facts[HOURS_TEXT] = hours.sentence()
    return facts, hours


def unfilled_facts(facts: Dict[str, str]) -> List[str]:
    """Regional facts still showing their neutral placeholder text, like `[telefoonnummer]`."""
    return sorted(key for key, value in facts.items() if value.startswith("["))
