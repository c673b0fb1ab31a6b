"""Editing a topic file as fields, and checking it as `python -m library` and the B1 tests do.

Why here, in the content domain: the staff app's editors ("Teksten", staff/editorial.py) write
the same files developers write by hand. The file format (front matter and `##` sections) is
owned by library/parse.py; this module turns a file into form fields and back, checks the
would-be file with that same parser (a version that does not parse is never saved), adds the
readability checks (B1: no sentence over 15 words, Flesch-Douma at least 60) as warnings, and
writes a published file atomically, so a process that re-reads it (the hot reload of
library/catalogue.py) never sees half a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from library.model import AUDIENCE_PARENT, AUDIENCE_YOUTH, PHASES, REGIONAL, ContentError, Topic
from library.parse import (
    _ID_PATTERN,
    _PLACEHOLDER,
    _split_front_matter,
    _split_sections,
    apply_sections,
    parse_topic,
    regional_hosts,
)

#: A whole topic (`topics/<id>.md`, national or a region's) or a region's parts of a national
#: topic (`sections/<id>.md`: no title, label, phases or related).
WHOLE_FILE, SECTIONS_FILE = "topic", "sections"
#: The text fields of the form, in order: field name -> (heading in the file, label).
TEXTS = {
    "ouders": ("Ouders", "Tekst voor ouders"),
    "jongeren": ("Jongeren", "Tekst voor jongeren"),
    "regio": ("In onze regio", "In onze regio"),
}
#: Size limits of the form (a text is a few paragraphs; the request is at most 64 kB).
MAX_TEXT = 8000
MAX_LINE = 200
MAX_SOURCES = 8
#: B1 (issue 14): no sentence over this many words; Flesch-Douma at least this.
MAX_SENTENCE_WORDS = 15
MIN_FLESCH_DOUMA = 60
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_VOWEL_GROUPS = re.compile(r"[aeiouyáéíóúàèëïöüâêîôû]+", re.IGNORECASE)


@dataclass
class Fields:
    """A topic file as the edit form shows it: everything a string, as typed."""

    id: str
    kind: str = WHOLE_FILE
    title: str = ""
    label: str = ""
    texts: Dict[str, str] = field(default_factory=dict)  # "ouders", "jongeren", "regio"
    sources: List[Tuple[str, str]] = field(default_factory=list)  # (title, url)
    phases: List[str] = field(default_factory=list)
    related: str = ""  # ids separated by commas or spaces
    reviewed_on: str = ""
    review_by: str = ""


@dataclass
class Checked:
    """The outcome of checking fields: the file text, and messages per field."""

    text: str
    errors: Dict[str, List[str]]
    warnings: Dict[str, List[str]]

    @property
    def ok(self) -> bool:
        return not self.errors


def fields_from_text(text: str, topic_id: str, kind: str = WHOLE_FILE) -> Fields:
    """A file's text as form fields (placeholders stay as written: {steunpunt_telefoon})."""
    meta, body = _split_front_matter(text)
    sections = _split_sections(body, regional=True, parents_required=False)
    names = {AUDIENCE_PARENT: "ouders", AUDIENCE_YOUTH: "jongeren", REGIONAL: "regio"}
    texts = {names[key]: value for key, value in sections.items()}
    return Fields(
        id=topic_id,
        kind=kind,
        title=str(meta.get("title") or ""),
        label=str(meta.get("label") or ""),
        texts=texts,
        sources=[
            (str(item.get("title") or ""), str(item.get("url") or ""))
            for item in meta.get("sources") or []
            if isinstance(item, dict)
        ],
        phases=[str(phase) for phase in meta.get("phases") or []],
        related=", ".join(str(item) for item in meta.get("related") or []),
        reviewed_on=str(meta.get("reviewed_on") or ""),
        review_by=str(meta.get("review_by") or ""),
    )


def related_ids(fields: Fields) -> List[str]:
    return [item for item in re.split(r"[\s,]+", fields.related.strip()) if item]


def text_from_fields(fields: Fields) -> str:
    """The file the fields make, in the format of content/README.md."""
    meta: Dict[str, object] = {"id": fields.id}
    if fields.kind == WHOLE_FILE:
        meta.update(title=fields.title.strip(), label=fields.label.strip())
    meta["sources"] = [{"title": t.strip(), "url": u.strip()} for t, u in fields.sources]
    if fields.kind == WHOLE_FILE:
        meta["phases"] = list(fields.phases)
        if related_ids(fields):
            meta["related"] = related_ids(fields)
    for name in ("reviewed_on", "review_by"):
        value = getattr(fields, name).strip()
        try:
            meta[name] = date.fromisoformat(value)
        except ValueError:
            meta[name] = value
    front = "".join(
        f"{key}: {yaml.safe_dump(value, allow_unicode=True, width=1000, default_flow_style=True).strip()}\n"
        if isinstance(value, list) and all(isinstance(item, str) for item in value)
        else yaml.safe_dump(
            {key: value}, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
        )
        for key, value in meta.items()
    )
    body = "".join(
        f"## {heading}\n\n{fields.texts[name].strip()}\n\n"
        for name, (heading, _label) in TEXTS.items()
        if fields.texts.get(name, "").strip()
    )
    return f"---\n{front}---\n{body}".rstrip("\n") + "\n"


def sentences(text: str) -> List[str]:
    plain = re.sub(r"^\s*[-*]\s+", "", text, flags=re.MULTILINE)
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", plain) if s.strip()]


def flesch_douma(text: str) -> float:
    """Flesch-Douma reading ease for Dutch (60 and up is B1 and easier); as tests/test_content.py."""
    parts = sentences(text)
    words = [w for s in parts for w in re.findall(r"[^\W_][\w'-]*", s)]
    if not parts or not words:
        return 100.0
    syllables = sum(max(1, len(_VOWEL_GROUPS.findall(w))) for w in words)
    return 206.835 - 0.93 * len(words) / len(parts) - 77 * syllables / len(words)


def long_sentences(text: str) -> List[str]:
    """Sentences over 15 words (a placeholder such as {swv_naam} counts as one word)."""
    return [s for s in sentences(text) if len(re.findall(r"\{\w+\}|[^\W_][\w'-]*", s)) > MAX_SENTENCE_WORDS]


def _field_of(message: str) -> str:
    """Which form field a parser message is about (shown next to it)."""
    lowered = message.lower()
    for words, name in (
        (("bron",), "sources"),
        (("'related'", "verwant"), "related"),
        (("'phases'",), "phases"),
        (("reviewed_on",), "reviewed_on"),
        (("review_by",), "review_by"),
        (("'label'", "veld 'label'"), "label"),
        (("veld 'title'",), "title"),
        (("jongeren",), "jongeren"),
        (("in onze regio",), "regio"),
    ):
        if any(word in lowered for word in words):
            return name
    return "ouders"


def check(
    fields: Fields,
    facts: Dict[str, str],
    today: date,
    known_topics: Optional[set] = None,
    region: Optional[str] = None,
    national: Optional[Topic] = None,
) -> Checked:
    """Every check of `python -m library` and the B1 tests, per field. Errors block saving;
    warnings (readability) are shown. `region`: the file is a region's (its own sites count as
    sources); `national`: the national topic a sections file adds to."""
    errors: Dict[str, List[str]] = {}
    warnings: Dict[str, List[str]] = {}

    def add(where: Dict[str, List[str]], name: str, message: str) -> None:
        if message not in where.setdefault(name, []):
            where[name].append(message)

    if fields.kind == WHOLE_FILE:
        for name, label in (("title", "De titel"), ("label", "De knoptekst")):
            value = getattr(fields, name).strip()
            if not value:
                add(errors, name, f"{label} is leeg.")
            elif len(value) > MAX_LINE:
                add(errors, name, f"{label} is langer dan {MAX_LINE} tekens.")
        unknown = [phase for phase in fields.phases if phase not in PHASES]
        if not fields.phases or unknown:
            add(errors, "phases", "Kies een of meer fasen.")
        ids = related_ids(fields)
        missing = [item for item in ids if known_topics is not None and item not in known_topics]
        if missing:
            add(errors, "related", "Deze onderwerpen bestaan niet: " + ", ".join(missing))
    if fields.kind == WHOLE_FILE and not fields.texts.get("ouders", "").strip():
        add(errors, "ouders", "De tekst voor ouders is verplicht.")
    for name in TEXTS:
        text = fields.texts.get(name, "")
        if not text.strip():
            continue
        if len(text) > MAX_TEXT:
            add(errors, name, f"De tekst is langer dan {MAX_TEXT} tekens.")
        if _HTML.search(text):
            add(errors, name, "Gebruik geen HTML (zoals <b> of <script>): de tekst is Markdown.")
        if re.search(r"^\s*#", text, re.MULTILINE):
            add(errors, name, "Gebruik geen koppen (#) in de tekst.")
        if re.search(r"https?://|www\.|@|\b0\d{2}[- ]?\d{7}\b", text):
            add(
                errors,
                name,
                "Geen links, telefoonnummers of e-mailadressen in de tekst: "
                "gebruik bronnen en plaatshouders.",
            )
        unknown = sorted({p for p in _PLACEHOLDER.findall(text) if p not in facts})
        if unknown:
            add(errors, name, "Onbekende plaatshouder(s): " + ", ".join("{" + p + "}" for p in unknown))
        for sentence in long_sentences(text):
            add(warnings, name, f"Zin langer dan {MAX_SENTENCE_WORDS} woorden (B1): {sentence}")
        score = flesch_douma(text)
        if score < MIN_FLESCH_DOUMA:
            add(
                warnings,
                name,
                f"Leesbaarheid (Flesch-Douma) {score:.0f}: onder {MIN_FLESCH_DOUMA} is moeilijker dan B1.",
            )
    if not fields.sources:
        add(errors, "sources", "Noem minstens één bron (titel en https-adres).")
    if len(fields.sources) > MAX_SOURCES:
        add(errors, "sources", f"Noem hoogstens {MAX_SOURCES} bronnen.")
    for title, url in fields.sources:
        if len(title) > MAX_LINE or len(url) > 2 * MAX_LINE:
            add(errors, "sources", "Een bron is te lang.")
        if not title.strip() or not url.strip():
            add(errors, "sources", "Elke bron heeft een titel en een adres.")
    for name in ("reviewed_on", "review_by"):
        try:
            date.fromisoformat(getattr(fields, name).strip())
        except ValueError:
            add(errors, name, "Schrijf een datum als 2026-11-24.")
    text = text_from_fields(fields)
    if not errors:  # the library's own parser has the last word: what it refuses is never saved
        try:
            if fields.kind == SECTIONS_FILE:
                if national is None:
                    raise ContentError("er is geen landelijk onderwerp om aan te vullen")
                apply_sections(national, text, facts, today, region or "")
            else:
                parse_topic(text, fields.id, facts, today, region=region)
        except ContentError as problem:
            add(errors, _field_of(str(problem)), str(problem)[:1].upper() + str(problem)[1:] + ".")
    return Checked(text=text, errors=errors, warnings=warnings)


def own_hosts(facts: Dict[str, str]) -> Tuple[str, ...]:
    return regional_hosts(facts)


def write_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file in the same folder, flushed to disk,
    then renamed over the old one (a reader sees the old or the new file, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


#: A new topic's id: as the library's (lowercase words with hyphens), short enough for an
#: intent name and the database (80).
MAX_TOPIC_ID = 60
#: The first text of a topic made from signals: the editor writes the real one.
DRAFT_PARENTS_TEXT = "Schrijf hier het antwoord voor ouders."


def new_topic_problem(topic_id: str, taken: set) -> Optional[str]:
    """Why `topic_id` cannot be a new topic (in Dutch), or None. `taken`: every topic id on
    disk in any region and every draft's (one intent serves all regions)."""
    if not topic_id:
        return "Kies een id voor het nieuwe onderwerp, zoals pesten-op-school."
    if len(topic_id) > MAX_TOPIC_ID or not _ID_PATTERN.match(topic_id):
        return (
            f"Een id bestaat alleen uit kleine letters, cijfers en streepjes (hoogstens "
            f"{MAX_TOPIC_ID} tekens), zoals pesten-op-school."
        )
    if topic_id in taken:
        return f"Het onderwerp {topic_id} bestaat al: kies een ander id."
    return None


def draft_text(topic_id: str, title: str) -> str:
    """The first concept of a new topic: its title and button text from the group's label, a
    parents' text to replace; sources, phases and review dates are the editor's to fill in."""
    title = " ".join(title.split())[:MAX_LINE] or topic_id
    return text_from_fields(
        Fields(id=topic_id, title=title, label=title[:40].strip(), texts={"ouders": DRAFT_PARENTS_TEXT})
    )
