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
from dataclasses import dataclass, replace
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
#: The regional section: only in a region's files, shown under the answer as regional.
REGIONAL = "regio"
_SECTIONS = {"ouders": AUDIENCE_PARENT, "jongeren": AUDIENCE_YOUTH, "in onze regio": REGIONAL}
#: What of a topic a region replaced: the whole topic, or one audience's text.
WHOLE = "geheel"
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
    #: The region this version is for, and what in it is regional: WHOLE, an audience whose
    #: text the region replaced, and/or REGIONAL (an added "## In onze regio" section).
    region: Optional[str] = None
    regional_parts: Tuple[str, ...] = ()
    regional_text: Optional[str] = None

    def text_for(self, audience: Optional[str]) -> str:
        """The youth wording for youths where one exists, else the parents' text."""
        if audience == AUDIENCE_YOUTH and self.youth_text:
            return self.youth_text
        return self.parent_text

    def is_regional_for(self, audience: Optional[str]) -> bool:
        """Whether the text a reader of `audience` gets was written by the region."""
        shown = AUDIENCE_YOUTH if audience == AUDIENCE_YOUTH and self.youth_text else AUDIENCE_PARENT
        return WHOLE in self.regional_parts or shown in self.regional_parts

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
        text = body[heading.end():end].strip()
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


def regional_hosts(regio: Dict[str, str]) -> Tuple[str, ...]:
    """The hosts of a region's own websites: a region's files may cite its own pages (its
    ondersteuningsplan, its procedures) besides the official ones."""
    hosts = []
    for field in ("swv_website", "steunpunt_website"):
        host = (urlparse(regio.get(field, "")).hostname or "").lower()
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
            raise ContentError(f"bron is geen officiële site (zie OFFICIAL_DOMAINS)"
                               f"{' of een site van de regio' if own_hosts else ''}: {url}")
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


def parse_topic(text: str, expected_id: str, regio: Dict[str, str], today: date,
                region: Optional[str] = None) -> Topic:
    """Check one topic file's text and turn it into a Topic; raise ContentError if it is wrong.
    `region`: the file is a region's own whole topic (it may add '## In onze regio')."""
    meta, body = _split_front_matter(text)
    topic_id = _checked_id(meta, expected_id)
    label = _text_field(meta, "label")
    if len(label) > _LABEL_MAX:
        raise ContentError(f"'label' is langer dan {_LABEL_MAX} tekens")
    reviewed_on, review_by = _review_dates(meta, today)
    sections = {key: fill_placeholders(value, regio)
                for key, value in _split_sections(body, regional=region is not None).items()}
    return Topic(
        id=topic_id,
        title=_text_field(meta, "title"),
        label=label,
        sources=_sources(meta, regional_hosts(regio) if region else ()),
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


def apply_sections(national: Topic, text: str, regio: Dict[str, str], today: date,
                   region: str) -> Topic:
    """A region's `sections/<id>.md` over the national topic: its `## Ouders` or `## Jongeren`
    replaces that text, its `## In onze regio` is added. Its sources come on top of the
    national ones; the earlier review-by date of the two counts."""
    meta, body = _split_front_matter(text)
    _checked_id(meta, national.id)
    reviewed_on, review_by = _review_dates(meta, today)
    sections = {key: fill_placeholders(value, regio)
                for key, value in _split_sections(body, regional=True, parents_required=False).items()}
    if AUDIENCE_YOUTH in sections and not (national.youth_text or AUDIENCE_PARENT in sections):
        raise ContentError("'## Jongeren' vervangt een jongerentekst die landelijk niet bestaat")
    return replace(
        national,
        sources=national.sources + tuple(s for s in _sources(meta, regional_hosts(regio))
                                         if s not in national.sources),
        reviewed_on=min(national.reviewed_on, reviewed_on),
        review_by=min(national.review_by, review_by),
        parent_text=sections.get(AUDIENCE_PARENT, national.parent_text),
        youth_text=sections.get(AUDIENCE_YOUTH, national.youth_text),
        region=region,
        regional_parts=tuple(part for part in (AUDIENCE_PARENT, AUDIENCE_YOUTH, REGIONAL) if part in sections),
        regional_text=sections.get(REGIONAL),
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


@dataclass
class _Region:
    """One region's content as served: its facts and its version of every topic."""
    regio: Dict[str, str]
    topics: Dict[str, Topic]


class ContentLibrary:
    """The topics as they are on disk now, per region, re-read only when a file changed.

    National topics (`content/topics/`) are served in every region, with that region's facts
    filled in (content/regio.yml for the default region, `content/regions/<id>/regio.yml` for
    the others); a region may replace a whole topic (`topics/<id>.md`), replace or add parts
    (`sections/<id>.md`) and have topics of its own. The files' modification times are checked
    at most every `recheck_seconds` (a stat call per file); reading and parsing happens only
    after an edit. Thread-safe, because the action server may run actions concurrently.
    """

    def __init__(
        self,
        topics_dir: Path = settings.CONTENT_DIR,
        regio_file: Path = settings.REGIO_FILE,
        today: Callable[[], date] = date.today,
        recheck_seconds: float = settings.CONTENT_RECHECK_SECONDS,
        regions_dir: Optional[Path] = None,
        default_region: Optional[str] = None,
    ) -> None:
        self.topics_dir = Path(topics_dir)
        self.regio_file = Path(regio_file)
        # Without a regions folder of its own a library built for a test has no regions.
        self.regions_dir = Path(regions_dir) if regions_dir is not None else (
            settings.REGIONS_DIR if topics_dir == settings.CONTENT_DIR else None)
        self.default_region = default_region or settings.DEFAULT_REGION
        self.today = today
        self.recheck_seconds = recheck_seconds
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._snapshot: Optional[tuple] = None
        self._regions: Dict[str, _Region] = {}
        self._errors: Dict[str, str] = {}

    def _region_folders(self) -> List[Path]:
        from steunpunt.regions import region_folders

        if self.regions_dir is None:
            return []
        return [self.regions_dir / name for name in sorted(region_folders(self.regions_dir))
                if name != self.default_region]

    def _current_snapshot(self) -> tuple:
        files = sorted(self.topics_dir.glob("*.md")) + [self.regio_file]
        for folder in self._region_folders():
            files += [folder / "regio.yml"] + sorted(folder.glob("topics/*.md")) + sorted(folder.glob("sections/*.md"))
        stamps = []
        for path in files:
            try:
                stat = path.stat()
                stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
            except OSError:
                stamps.append((str(path), None, None))
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
            self._regions, self._errors = self._read_all()
            self._snapshot = snapshot

    def _read_all(self) -> Tuple[Dict[str, _Region], Dict[str, str]]:
        errors: Dict[str, str] = {}
        national: Dict[str, Optional[str]] = {}
        for path in sorted(self.topics_dir.glob("*.md")):
            try:
                national[path.stem] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                national[path.stem] = None  # each region keeps its last good version
                errors[path.name] = f"kan niet gelezen worden: {error}" + (
                    _KEPT if any(path.stem in r.topics for r in self._regions.values()) else "")
        regions = {self.default_region: self._read_region(
            self.default_region, self.regio_file, None, national, errors, self.regio_file.name)}
        for folder in self._region_folders():
            prefix = f"regions/{folder.name}/"
            regions[folder.name] = self._read_region(
                folder.name, folder / "regio.yml", folder, national, errors, prefix + "regio.yml")
        return regions, errors

    def _read_region(self, region: str, regio_file: Path, folder: Optional[Path],
                     national: Dict[str, Optional[str]], errors: Dict[str, str], regio_name: str) -> _Region:
        """One region: national topics with its facts, then its own files over them. A file
        that breaks while the bot runs keeps its last good version in this region."""
        before = self._regions.get(region)
        previous = before.topics if before else {}
        try:
            regio = load_regio(regio_file)
        except ContentError as error:
            errors[regio_name] = str(error) + _KEPT
            regio = dict(before.regio) if before else {}
        today = self.today()
        prefix = "" if folder is None else f"regions/{region}/"
        topics: Dict[str, Topic] = {}

        def failed(name: str, topic_id: str, error: Exception) -> None:
            message = (f"kan niet gelezen worden: {error}" if not isinstance(error, ContentError)
                       else str(error))
            if topic_id in previous:
                topics[topic_id] = previous[topic_id]
                message += _KEPT
            errors[prefix + name] = message

        for topic_id, text in national.items():
            if text is None:  # unreadable just now (e.g. half written): the last good version
                if topic_id in previous:
                    topics[topic_id] = previous[topic_id]
                continue
            try:
                topics[topic_id] = parse_topic(text, topic_id, regio, today)
            except ContentError as error:
                if folder is None or f"{topic_id}.md" not in errors:  # one line per national file
                    failed(f"{topic_id}.md", topic_id, error)
                elif topic_id in previous:
                    topics[topic_id] = previous[topic_id]
        for path in sorted(folder.glob("topics/*.md")) if folder else []:
            try:
                topics[path.stem] = parse_topic(path.read_text(encoding="utf-8"), path.stem, regio,
                                                today, region=region)
            except (OSError, UnicodeDecodeError, ContentError) as error:
                failed(f"topics/{path.name}", path.stem, error)
        for path in sorted(folder.glob("sections/*.md")) if folder else []:
            try:
                if path.stem not in topics:
                    raise ContentError(f"er is geen onderwerp '{path.stem}' om aan te vullen")
                topics[path.stem] = apply_sections(topics[path.stem], path.read_text(encoding="utf-8"),
                                                   regio, today, region)
            except (OSError, UnicodeDecodeError, ContentError) as error:
                failed(f"sections/{path.name}", path.stem, error)
        for topic in list(topics.values()):
            unknown = [other for other in topic.related if other not in topics and other not in national]
            if unknown:
                errors[f"{prefix}{topic.id}.md"] = "'related' noemt onbekende onderwerpen: " + ", ".join(unknown)
                del topics[topic.id]
        if folder is not None:
            topics = {topic_id: topic if topic.region else replace(topic, region=region)
                      for topic_id, topic in topics.items()}
        return _Region(regio=regio, topics=topics)

    def _region(self, region: Optional[str]) -> _Region:
        self.refresh()
        chosen = self._regions.get(region or self.default_region) or self._regions.get(self.default_region)
        return chosen or _Region(regio={}, topics={})

    def lookup(self, topic_id: str, region: Optional[str] = None) -> Optional[Topic]:
        """The one way to get a topic's current, valid content in a region (the default region
        when None or unknown); None if missing or broken."""
        return self._region(region).topics.get(topic_id)

    def related(self, topic: Topic, region: Optional[str] = None) -> List[Topic]:
        """The topics this one links to that are served now (a broken one is left out)."""
        topics = self._region(region or topic.region).topics
        return [topics[other] for other in topic.related if other in topics]

    def topics(self, region: Optional[str] = None) -> Dict[str, Topic]:
        return dict(self._region(region).topics)

    def errors(self) -> Dict[str, str]:
        """Files with something wrong, and what: not served, or (broken while the bot ran) served
        in their last good version until fixed. A region's files are named regions/<id>/..."""
        self.refresh()
        return dict(self._errors)

    def regio(self, region: Optional[str] = None) -> Dict[str, str]:
        return dict(self._region(region).regio)

    def regions(self) -> List[str]:
        """The default region first, then every region folder."""
        self.refresh()
        return [self.default_region] + sorted(r for r in self._regions if r != self.default_region)


def region_problems(library: "ContentLibrary") -> List[str]:
    """What keeps a region from being ready: facts missing or not yet filled in. (The default
    region ships as a template: its unfilled facts are a warning, see main.)"""
    needed = set(library.regio(library.default_region))
    problems = []
    for region in library.regions()[1:]:
        facts = library.regio(region)
        for name in sorted(needed - set(facts)):
            problems.append(f"regions/{region}/regio.yml: '{name}' ontbreekt")
        for name in unfilled_regio_fields(facts):
            problems.append(f"regions/{region}/regio.yml: '{name}' is nog niet ingevuld")
    return problems


def main() -> int:
    """`python -m actions.content`: check all content files, of every region, after an edit."""
    library = ContentLibrary()
    errors = library.errors()
    problems = [f"{name}: {message}" for name, message in sorted(errors.items())] + region_problems(library)
    for problem in problems:
        print(f"FOUT  {problem}")
    for name in unfilled_regio_fields(library.regio()):
        print(f"LET OP  regio.yml: '{name}' is nog niet ingevuld")
    today = library.today()
    for region in library.regions():
        topics = library.topics(region)
        where = "" if region == library.default_region else f"[{region}] "
        for topic in sorted(topics.values(), key=lambda t: t.id):
            if not topic.related and (not where or topic.region):
                print(f"LET OP  {where}{topic.id}: noemt geen verwante onderwerpen ('related')")
        for topic in sorted(topics.values(), key=lambda t: t.review_by):
            if topic.is_overdue(today) and (not where or topic.region and topic.regional_parts):
                print(f"VERLOPEN  {where}{topic.id}: review_by {topic.review_by} is voorbij; wordt niet getoond")
        regional = sum(1 for topic in topics.values() if topic.regional_parts)
        print(f"{where or '[landelijk] '}{len(topics)} onderwerpen in orde"
              + (f", waarvan {regional} met regionale tekst" if where else ""))
    print(f"{len(library.regions())} regio's, {len(problems)} fouten.")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
