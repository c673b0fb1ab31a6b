"""The content library: every topic as it is on disk now, per region, with hot reload.

Why: the assistant answers only from these files, and they are read while it runs, so an
edit is live for the next question without retraining. A file that breaks the rules is never
served: it is reported (status page, `python -m library`) and the bot treats its topic as
"being checked" instead of crashing or guessing. Each process has one library (`shared()`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from library.hours import OpeningHours
from library.model import ContentError, Topic
from library.parse import apply_sections, parse_topic, read_region_file, unfilled_facts
from steunpunt import clock, settings

#: Said after an error when the last good version of the file is still being served.
_KEPT = " (de laatste goede versie wordt nog getoond)"


@dataclass
class _Region:
    """One region's content as served: its facts and its version of every topic."""

    facts: Dict[str, str]
    topics: Dict[str, Topic]
    #: Structured opening hours, when the region gives them (library/hours.py).
    hours: Optional[OpeningHours] = None


@dataclass(frozen=True)
class RegionView:
    """One region's content at one moment: a turn decides and renders from the same view, so
    a reload between the two (an editor publishing) can neither make a chosen topic vanish nor
    make rendering read files. A reload swaps whole `_Region`s in; a view keeps its own."""

    region: str
    _content: _Region

    @property
    def topics(self) -> Dict[str, Topic]:
        return dict(self._content.topics)

    def lookup(self, topic_id: str) -> Optional[Topic]:
        return self._content.topics.get(topic_id)

    def related(self, topic: Topic) -> List[Topic]:
        """The topics this one links to that are served in this view (a broken one is left out)."""
        topics = self._content.topics
        return [topics[other] for other in topic.related if other in topics]


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
        today: Callable[[], date] = clock.today,
        recheck_seconds: float = settings.CONTENT_RECHECK_SECONDS,
        regions_dir: Optional[Path] = None,
        default_region: Optional[str] = None,
    ) -> None:
        self.topics_dir = Path(topics_dir)
        self.regio_file = Path(regio_file)
        # Without a regions folder of its own a library built for a test has no regions.
        self.regions_dir = (
            Path(regions_dir)
            if regions_dir is not None
            else (settings.REGIONS_DIR if topics_dir == settings.CONTENT_DIR else None)
        )
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
        return [
            self.regions_dir / name
            for name in sorted(region_folders(self.regions_dir))
            if name != self.default_region
        ]

    def _current_snapshot(self) -> tuple:
        files = sorted(self.topics_dir.glob("*.md")) + [self.regio_file]
        for folder in self._region_folders():
            files += (
                [folder / "regio.yml"]
                + sorted(folder.glob("topics/*.md"))
                + sorted(folder.glob("sections/*.md"))
            )
        stamps: List[Tuple[str, Optional[int], Optional[int]]] = []
        for path in files:
            try:
                stat = path.stat()
                stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
            except OSError:
                stamps.append((str(path), None, None))
        return (self.today(), tuple(stamps))

    def refresh(self) -> None:
        """Re-read the content when any file was added, changed or removed.

        Before the first read has finished, every caller waits for it: a caller that returned
        at once (the recheck time had just been set by the reader) read an empty library, so the
        first questions of a freshly started process were answered as if no region existed
        (seen as a widget told "Laat een vraag achter." while the steunpunt was open). After
        that, a reload builds the new content apart and swaps it in whole; callers meanwhile
        keep reading the last complete version."""
        if self._snapshot is not None and time.monotonic() - self._checked_at < self.recheck_seconds:
            return
        with self._lock:
            if self._snapshot is not None and time.monotonic() - self._checked_at < self.recheck_seconds:
                return  # another caller checked while this one waited
            self._checked_at = time.monotonic()
            snapshot = self._current_snapshot()
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
                    _KEPT if any(path.stem in r.topics for r in self._regions.values()) else ""
                )
        regions = {
            self.default_region: self._read_region(
                self.default_region, self.regio_file, None, national, errors, self.regio_file.name
            )
        }
        for folder in self._region_folders():
            prefix = f"regions/{folder.name}/"
            regions[folder.name] = self._read_region(
                folder.name, folder / "regio.yml", folder, national, errors, prefix + "regio.yml"
            )
        return regions, errors

    def _read_region(
        self,
        region: str,
        facts_file: Path,
        folder: Optional[Path],
        national: Dict[str, Optional[str]],
        errors: Dict[str, str],
        facts_file_name: str,
    ) -> _Region:
        """One region: national topics with its facts, then its own files over them. A file
        that breaks while the bot runs keeps its last good version in this region."""
        before = self._regions.get(region)
        previous = before.topics if before else {}
        try:
            facts, hours = read_region_file(facts_file)
        except ContentError as error:
            errors[facts_file_name] = str(error) + _KEPT
            facts, hours = (dict(before.facts), before.hours) if before else ({}, None)
        today = self.today()
        prefix = "" if folder is None else f"regions/{region}/"
        topics: Dict[str, Topic] = {}

        def failed(name: str, topic_id: str, error: Exception) -> None:
            message = (
                f"kan niet gelezen worden: {error}" if not isinstance(error, ContentError) else str(error)
            )
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
                topics[topic_id] = parse_topic(text, topic_id, facts, today)
            except ContentError as error:
                if folder is None or f"{topic_id}.md" not in errors:  # one line per national file
                    failed(f"{topic_id}.md", topic_id, error)
                elif topic_id in previous:
                    topics[topic_id] = previous[topic_id]
        for path in sorted(folder.glob("topics/*.md")) if folder else []:
            try:
                topics[path.stem] = parse_topic(
                    path.read_text(encoding="utf-8"), path.stem, facts, today, region=region
                )
            except (OSError, UnicodeDecodeError, ContentError) as error:
                failed(f"topics/{path.name}", path.stem, error)
        for path in sorted(folder.glob("sections/*.md")) if folder else []:
            try:
                if path.stem not in topics:
                    raise ContentError(f"er is geen onderwerp '{path.stem}' om aan te vullen")
                topics[path.stem] = apply_sections(
                    topics[path.stem], path.read_text(encoding="utf-8"), facts, today, region
                )
            except (OSError, UnicodeDecodeError, ContentError) as error:
                failed(f"sections/{path.name}", path.stem, error)
        for topic in list(topics.values()):
            unknown = [other for other in topic.related if other not in topics and other not in national]
            if unknown:
                errors[f"{prefix}{topic.id}.md"] = "'related' noemt onbekende onderwerpen: " + ", ".join(
                    unknown
                )
                del topics[topic.id]
        if folder is not None:
            topics = {
                topic_id: topic if topic.region else replace(topic, region=region)
                for topic_id, topic in topics.items()
            }
        return _Region(facts=facts, topics=topics, hours=hours)

    def _region(self, region: Optional[str]) -> _Region:
        self.refresh()
        chosen = self._regions.get(region or self.default_region) or self._regions.get(self.default_region)
        return chosen or _Region(facts={}, topics={})

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

    def view(self, region: Optional[str] = None) -> RegionView:
        """The region's content as it is now, fixed for one turn (see RegionView)."""
        return RegionView(region or self.default_region, self._region(region))

    def errors(self) -> Dict[str, str]:
        """Files with something wrong, and what: not served, or (broken while the bot ran) served
        in their last good version until fixed. A region's files are named regions/<id>/..."""
        self.refresh()
        return dict(self._errors)

    def facts(self, region: Optional[str] = None) -> Dict[str, str]:
        return dict(self._region(region).facts)

    def hours(self, region: Optional[str] = None) -> Optional[OpeningHours]:
        """The region's structured opening hours, or None when it gives only a sentence."""
        return self._region(region).hours

    def regions(self) -> List[str]:
        """The default region first, then every region folder."""
        self.refresh()
        return [self.default_region] + sorted(r for r in self._regions if r != self.default_region)


def region_problems(library: ContentLibrary) -> List[str]:
    """What keeps a region from being ready: facts missing or not yet filled in. (The default
    region ships as a template: its unfilled facts are a warning, see main.)"""
    needed = set(library.facts(library.default_region))
    problems = []
    for region in library.regions()[1:]:
        facts = library.facts(region)
        for name in sorted(needed - set(facts)):
            problems.append(f"regions/{region}/regio.yml: '{name}' ontbreekt")
        for name in unfilled_facts(facts):
            problems.append(f"regions/{region}/regio.yml: '{name}' is nog niet ingevuld")
    return problems


_shared: Optional[ContentLibrary] = None
_shared_lock = threading.Lock()


def shared() -> ContentLibrary:
    """This process's one library: every part of a process (actions, pages, status, staff)
    reads the same files once and sees an edit at the same moment."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ContentLibrary()
        return _shared
