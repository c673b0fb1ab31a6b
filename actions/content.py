"""Vetted content: reading, checking and looking up the topic files in `content/`.

The assistant answers only from these files. They are read while the bot runs, so a staff
member's edit is live for the next question without retraining. A file that breaks the rules
is never served: it is reported (status page, `python -m actions.content`) and the bot treats
its topic as "being checked" instead of crashing or guessing.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import urlparse

import yaml

from steunpunt import settings

TOPIC_INTENT_PREFIX = "info_"
AUDIENCE_PARENT = "ouder"
AUDIENCE_YOUTH = "jongere"

_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
_SECTION = re.compile(r"^##[ \t]+(.+?)[ \t]*$", re.MULTILINE)
_SECTIONS = {"ouders": AUDIENCE_PARENT, "jongeren": AUDIENCE_YOUTH}
_LABEL_MAX = 40
_RELATED_MIN, _RELATED_MAX = 2, 4

#: School phases the pages group topics by, in reading order: id -> heading on the pages.
PHASES = {
    "po": "Basisonderwijs (PO)",
    "po-vo": "Overstap van basisschool naar middelbare school (PO-VO)",
    "vo": "Voortgezet onderwijs (VO)",
}

#: Sources must be official pages: national government, law texts, the bodies that passend
#: onderwijs law names, and the national information points. A subdomain counts too.
OFFICIAL_DOMAINS = (
    "rijksoverheid.nl", "overheid.nl", "officielebekendmakingen.nl", "eerstekamer.nl",
    "tweedekamer.nl", "rechtspraak.nl", "passendonderwijs.nl", "oudersenonderwijs.nl",
    "onderwijsconsulenten.nl", "onderwijsgeschillen.nl", "onderwijsinspectie.nl",
    "autoriteitpersoonsgegevens.nl", "duo.nl", "nji.nl",
)


def is_official(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in OFFICIAL_DOMAINS)


def intent_for_topic(topic_id: str) -> str:
    """The NLU intent that asks for a topic: `tlv-wat-is` -> `info_tlv_wat_is`."""
    return TOPIC_INTENT_PREFIX + topic_id.replace("-", "_")


def topic_for_intent(intent: Optional[str]) -> Optional[str]:
    """The topic id an intent asks for, or None when the intent is not a topic question."""
    if not intent or not intent.startswith(TOPIC_INTENT_PREFIX):
        return None
    return intent[len(TOPIC_INTENT_PREFIX):].replace("_", "-")


#: Said after an error when the last good version of the file is still being served.
_KEPT = " (de laatste goede versie wordt nog getoond)"


class ContentError(ValueError):
    """A content file breaks the rules; the message says what to fix, in plain words."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    label: str
    sources: Tuple[Source, ...]
    reviewed_on: date
    review_by: date
    parent_text: str
    youth_text: Optional[str]
    phases: Tuple[str, ...] = ()
    related: Tuple[str, ...] = ()

    def text_for(self, audience: Optional[str]) -> str:
        """The youth wording for youths where one exists, else the parents' text."""
        if audience == AUDIENCE_YOUTH and self.youth_text:
            return self.youth_text
        return self.parent_text

    def is_overdue(self, today: date) -> bool:
        """Past its review-by date the answer may be outdated and is not served as fact."""
        return today > self.review_by


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
    return meta, "\n".join(lines[end + 1:])


def _split_sections(body: str) -> Dict[str, str]:
    headings = list(_SECTION.finditer(body))
    if not headings or body[: headings[0].start()].strip():
        raise ContentError("de tekst moet beginnen met de kop '## Ouders'")
    sections: Dict[str, str] = {}
    for index, heading in enumerate(headings):
        name = heading.group(1).strip().lower()
        if name not in _SECTIONS:
            raise ContentError(f"onbekende kop '## {heading.group(1)}' (alleen Ouders en Jongeren)")
        end = headings[index + 1].start() if index + 1 < len(headings) else len(body)
        text = body[heading.end():end].strip()
        if not text:
            raise ContentError(f"de tekst onder '## {heading.group(1)}' is leeg")
        sections[_SECTIONS[name]] = text
    if AUDIENCE_PARENT not in sections:
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


def _sources(meta: dict) -> Tuple[Source, ...]:
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
        if not is_official(url):
            raise ContentError(f"bron is geen officiële site (zie OFFICIAL_DOMAINS): {url}")
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
        raise ContentError("'phases' noemt een of meer van: " + ", ".join(PHASES)
                           + (f" (onbekend: {', '.join(unknown)})" if unknown else ""))
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


def parse_topic(text: str, expected_id: str, regio: Dict[str, str], today: date) -> Topic:
    """Check one topic file's text and turn it into a Topic; raise ContentError if it is wrong."""
    meta, body = _split_front_matter(text)
    topic_id = _text_field(meta, "id")
    if topic_id != expected_id:
        raise ContentError(f"id '{topic_id}' moet gelijk zijn aan de bestandsnaam '{expected_id}'")
    if not _ID_PATTERN.match(topic_id):
        raise ContentError("id bestaat alleen uit kleine letters, cijfers en streepjes")
    label = _text_field(meta, "label")
    if len(label) > _LABEL_MAX:
        raise ContentError(f"'label' is langer dan {_LABEL_MAX} tekens")
    reviewed_on, review_by = _as_date(meta, "reviewed_on"), _as_date(meta, "review_by")
    if reviewed_on > today:
        raise ContentError(f"'reviewed_on' ({reviewed_on}) ligt in de toekomst")
    if review_by <= reviewed_on:
        raise ContentError("'review_by' moet na 'reviewed_on' liggen")
    sections = {key: fill_placeholders(value, regio) for key, value in _split_sections(body).items()}
    return Topic(
        id=topic_id,
        title=_text_field(meta, "title"),
        label=label,
        sources=_sources(meta),
        reviewed_on=reviewed_on,
        review_by=review_by,
        parent_text=sections[AUDIENCE_PARENT],
        youth_text=sections.get(AUDIENCE_YOUTH),
        phases=_phases(meta),
        related=_related(meta, topic_id),
    )


def fill_placeholders(text: str, regio: Dict[str, str]) -> str:
    """Put the regional facts into a text; an unknown placeholder is an error, not a blank."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in regio})
    if unknown:
        raise ContentError("onbekende plaatshouder(s): " + ", ".join("{" + n + "}" for n in unknown))
    return _PLACEHOLDER.sub(lambda match: regio[match.group(1)], text)


def load_regio(path: Path) -> Dict[str, str]:
    """Read the regional facts file: a flat mapping of placeholder name to text."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name} kan niet gelezen worden: {error}") from None
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and isinstance(value, (str, int)) for key, value in data.items()
    ):
        raise ContentError(f"{path.name} moet per regel 'naam: tekst' bevatten")
    return {key: str(value).strip() for key, value in data.items()}


def unfilled_regio_fields(regio: Dict[str, str]) -> List[str]:
    """Regional facts still showing their neutral placeholder text, like `[telefoonnummer]`."""
    return sorted(key for key, value in regio.items() if value.startswith("["))


class ContentLibrary:
    """The topics as they are on disk now, re-read only when a file changed.

    The files' modification times are checked at most every `recheck_seconds` (a stat call
    per file); reading and parsing happens only after an edit. Thread-safe, because the
    action server may run actions concurrently.
    """

    def __init__(
        self,
        topics_dir: Path = settings.CONTENT_DIR,
        regio_file: Path = settings.REGIO_FILE,
        today: Callable[[], date] = date.today,
        recheck_seconds: float = settings.CONTENT_RECHECK_SECONDS,
    ) -> None:
        self.topics_dir = Path(topics_dir)
        self.regio_file = Path(regio_file)
        self.today = today
        self.recheck_seconds = recheck_seconds
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._snapshot: Optional[tuple] = None
        self._topics: Dict[str, Topic] = {}
        self._errors: Dict[str, str] = {}
        self._regio: Dict[str, str] = {}

    def _current_snapshot(self) -> tuple:
        files = sorted(self.topics_dir.glob("*.md")) + [self.regio_file]
        stamps = []
        for path in files:
            try:
                stat = path.stat()
                stamps.append((path.name, stat.st_mtime_ns, stat.st_size))
            except OSError:
                stamps.append((path.name, None, None))
        return (self.today(), tuple(stamps))

    def refresh(self) -> None:
        """Re-read the content when any file was added, changed or removed."""
        now = time.monotonic()
        if now - self._checked_at < self.recheck_seconds:
            return
        self._checked_at = now
        snapshot = self._current_snapshot()
        with self._lock:
            if snapshot == self._snapshot:
                return
            self._topics, self._errors, self._regio = self._read_all()
            self._snapshot = snapshot

    def _read_all(self) -> Tuple[Dict[str, Topic], Dict[str, str], Dict[str, str]]:
        topics: Dict[str, Topic] = {}
        errors: Dict[str, str] = {}
        try:
            regio = load_regio(self.regio_file)
        except ContentError as error:
            errors[self.regio_file.name] = str(error) + _KEPT
            regio = dict(self._regio)  # the last good regional facts
        today = self.today()
        for path in sorted(self.topics_dir.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8")
                topic = parse_topic(text, path.stem, regio, today)
            except (OSError, UnicodeDecodeError, ContentError) as error:
                message = (f"kan niet gelezen worden: {error}" if not isinstance(error, ContentError)
                           else str(error))
                # An edit that breaks a file while the bot runs: keep serving the last good version.
                if path.stem in self._topics:
                    topics[path.stem] = self._topics[path.stem]
                    message += _KEPT
                errors[path.name] = message
            else:
                topics[topic.id] = topic
        existing = {path.stem for path in self.topics_dir.glob("*.md")}
        for topic in list(topics.values()):
            unknown = [other for other in topic.related if other not in existing]
            if unknown:
                errors[f"{topic.id}.md"] = "'related' noemt onbekende onderwerpen: " + ", ".join(unknown)
                del topics[topic.id]
        return topics, errors, regio

    def lookup(self, topic_id: str) -> Optional[Topic]:
        """The one way to get a topic's current, valid content (None if missing or broken)."""
        self.refresh()
        return self._topics.get(topic_id)

    def related(self, topic: Topic) -> List[Topic]:
        """The topics this one links to that are served now (a broken one is left out)."""
        self.refresh()
        return [self._topics[other] for other in topic.related if other in self._topics]

    def topics(self) -> Dict[str, Topic]:
        self.refresh()
        return dict(self._topics)

    def errors(self) -> Dict[str, str]:
        """Files with something wrong, and what: not served, or (broken while the bot ran) served
        in their last good version until fixed."""
        self.refresh()
        return dict(self._errors)

    def regio(self) -> Dict[str, str]:
        self.refresh()
        return dict(self._regio)


def main() -> int:
    """`python -m actions.content`: check all content files after an edit."""
    library = ContentLibrary()
    topics, errors = library.topics(), library.errors()
    for name, message in sorted(errors.items()):
        print(f"FOUT  {name}: {message}")
    for name in unfilled_regio_fields(library.regio()):
        print(f"LET OP  regio.yml: '{name}' is nog niet ingevuld")
    for topic in sorted(topics.values(), key=lambda t: t.id):
        if not topic.related:
            print(f"LET OP  {topic.id}: noemt geen verwante onderwerpen ('related')")
    today = library.today()
    for topic in sorted(topics.values(), key=lambda t: t.review_by):
        if topic.is_overdue(today):
            print(f"VERLOPEN  {topic.id}: review_by {topic.review_by} is voorbij; wordt niet getoond")
    print(f"{len(topics)} onderwerpen in orde, {len(errors)} met fouten.")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
