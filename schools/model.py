"""The school directory of a region: what is stored, how it is read, and how it is searched.

Where it lives: DUO's data is public and changes each month, so it is not vetted content and not
in content/: each import writes one file `settings.SCHOOLS_DIR/<region>.json` (written under a
temporary name and renamed, so a reader sees the old directory or the new one, never half).
What DUO lacks (the URL of each school's schoolondersteuningsprofiel, a short note) the region
writes itself in `content/regions/<region>/scholen.yml` (or `content/scholen.yml` for the default
region), keyed by location code:

    00AA00:
      sop: https://www.school.invalid/sop.pdf
      notitie: Heeft een eigen plusklas.

`load(region)` joins the two and keeps the result until either file changes. A region without a
directory file has no schools: never another region's.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

from steunpunt import settings
from steunpunt.regions import REGION_ID

#: School kinds, as stored. PO: bao (basisschool), sbo (speciaal basisonderwijs); VO: vo (with
#: its levels); (V)SO: so, vso, or so/vso for a school with both.
KINDS = ("bao", "sbo", "vo", "so", "vso", "so/vso")
#: The three groups of the site and the chat, and which kinds are in each.
GROUPS = {"PO": ("bao", "sbo"), "VO": ("vo",), "(V)SO": ("so", "vso", "so/vso")}
#: VO levels, as stored (DUO's onderwijsstructuur split into these).
LEVELS = ("pro", "vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo")
FORMAT_VERSION = 1
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class School:
    #: The location code: BRIN (4 characters) and vestigingsnummer (2 digits), e.g. "00AA00".
    location: str
    brin: str
    name: str
    kind: str  # one of KINDS
    street: str = ""  # street and number
    postcode: str = ""
    place: str = ""
    gemeente: str = ""
    levels: Tuple[str, ...] = ()  # VO only, of LEVELS
    denomination: str = ""
    board: str = ""
    website: str = ""
    #: From the region's own file (scholen.yml), never from DUO.
    sop_url: str = ""
    note: str = ""

    @property
    def group(self) -> str:
        return next(name for name, kinds in GROUPS.items() if self.kind in kinds)

    @property
    def slug(self) -> str:
        """The school's path on the site: its location code, lower case."""
        return self.location.lower()


@dataclass(frozen=True)
class Directory:
    region: str
    imported_on: date
    #: Where the data came from, as shown on the site ("DUO, Adressen ... (bestand van ...)").
    source: str
    schools: Tuple[School, ...] = field(default_factory=tuple)

    def by_location(self, location: str) -> Optional[School]:
        wanted = location.strip().upper()
        return next((s for s in self.schools if s.location == wanted), None)

    def places(self) -> List[str]:
        return sorted({s.place for s in self.schools if s.place})


# --- files ---------------------------------------------------------------------------------------
def directory_path(region: str) -> Path:
    if not REGION_ID.fullmatch(region):
        raise ValueError(f"geen geldige regio: {region!r}")
    return Path(settings.SCHOOLS_DIR) / f"{region}.json"


def extras_path(region: str) -> Path:
    """The region's own additions: content/regions/<region>/scholen.yml, or next to the default
    region's regio.yml."""
    if region == settings.DEFAULT_REGION:
        return Path(settings.REGIO_FILE).parent / "scholen.yml"
    return Path(settings.REGIONS_DIR) / region / "scholen.yml"


def save(directory: Directory) -> Path:
    """Write a region's directory whole: a temporary file in the same folder, then a rename."""
    path = directory_path(directory.region)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "format": FORMAT_VERSION,
        "region": directory.region,
        "imported_on": directory.imported_on.isoformat(),
        "source": directory.source,
        "schools": [_school_json(s) for s in directory.schools],
    }
    handle, temporary = tempfile.mkstemp(prefix=f".{directory.region}.", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _school_json(school: School) -> Dict[str, Any]:
    data = asdict(school)
    data.pop("sop_url")  # the region's own file holds these
    data.pop("note")
    data["levels"] = list(school.levels)
    return data


class SchoolDataError(ValueError):
    """A directory or extras file that cannot be read (the message says which and why)."""


def read_extras(path: Path) -> Dict[str, Dict[str, str]]:
    """The region's additions per location code: {"sop": url, "notitie": text}."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SchoolDataError(f"{path.name} kan niet gelezen worden: {error}") from None
    if not isinstance(data, dict):
        raise SchoolDataError(f"{path.name}: per school 'vestigingscode: {{sop: ..., notitie: ...}}'")
    extras: Dict[str, Dict[str, str]] = {}
    for key, value in data.items():
        if not isinstance(value, dict):
            raise SchoolDataError(f"{path.name}: bij {key} hoort 'sop:' en/of 'notitie:'")
        sop = str(value.get("sop") or "").strip()
        if sop and not re.match(r"https://[^\s<>\"']+$", sop):
            raise SchoolDataError(f"{path.name}: de sop van {key} moet een https-adres zijn")
        extras[str(key).strip().upper()] = {"sop": sop, "notitie": str(value.get("notitie") or "").strip()}
    return extras


def read_directory(path: Path, extras: Dict[str, Dict[str, str]]) -> Directory:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        schools = tuple(
            replace(
                School(**{**row, "levels": tuple(row.get("levels") or ())}),
                sop_url=extras.get(row["location"], {}).get("sop", ""),
                note=extras.get(row["location"], {}).get("notitie", ""),
            )
            for row in data["schools"]
        )
        return Directory(
            region=data["region"],
            imported_on=date.fromisoformat(data["imported_on"]),
            source=data.get("source", ""),
            schools=schools,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SchoolDataError(f"{path.name} kan niet gelezen worden: {type(error).__name__}") from None


_cache: Dict[str, Tuple[tuple, Optional[Directory]]] = {}
_lock = threading.Lock()


def _stamp(path: Path) -> tuple:
    try:
        info = path.stat()
        return (info.st_mtime_ns, info.st_size)
    except OSError:
        return ()


def load(region: str) -> Optional[Directory]:
    """The region's directory, with its own SOP links and notes; None when it has none (or it
    cannot be read: then the error is logged once per change, and the region has no schools)."""
    try:
        path, extras = directory_path(region), extras_path(region)
    except ValueError:
        return None
    stamp = (str(path), _stamp(path), _stamp(extras))
    with _lock:
        cached = _cache.get(region)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    directory: Optional[Directory] = None
    if path.is_file():
        try:
            directory = read_directory(path, read_extras(extras))
        except SchoolDataError as error:
            logger.error("school directory of %s: %s", region, error)
    with _lock:
        _cache[region] = (stamp, directory)
    return directory


# --- searching -----------------------------------------------------------------------------------
def folded(text: str) -> str:
    """Lower case without accents or punctuation, for comparing names and places."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def matches_kind(school: School, kind: Optional[str]) -> bool:
    """`kind` is a stored kind, a group name ("PO", "VO", "(V)SO"), "so"/"vso" (also matching
    so/vso), or a VO level ("havo", "vmbo", "vmbo-t", ...)."""
    if not kind:
        return True
    if kind in GROUPS:
        return school.kind in GROUPS[kind]
    if kind in ("so", "vso"):
        return school.kind in (kind, "so/vso")
    if kind in KINDS:
        return school.kind == kind
    return school.kind == "vo" and any(
        level == kind or level.startswith(kind + "-") for level in school.levels
    )


def search(
    directory: Directory,
    kind: Optional[str] = None,
    place: Optional[str] = None,
    name: Optional[str] = None,
) -> List[School]:
    """The schools of a kind (see matches_kind), in a place (its plaats or gemeente), and/or
    whose name contains `name` (folded), sorted by place and name. Exact matches only: an
    unknown name finds nothing, never a near guess."""
    wanted_place, wanted_name = folded(place or ""), folded(name or "")
    found = [
        school
        for school in directory.schools
        if matches_kind(school, kind)
        and (not wanted_place or wanted_place in (folded(school.place), folded(school.gemeente)))
        and (not wanted_name or wanted_name in folded(school.name))
    ]
    return sorted(found, key=lambda s: (folded(s.place), folded(s.name)))


def grouped(schools: Iterable[School]) -> Dict[str, List[School]]:
    """Schools per group, in the order PO, VO, (V)SO (groups without schools left out)."""
    result: Dict[str, List[School]] = {name: [] for name in GROUPS}
    for school in schools:
        result[school.group].append(school)
    return {name: found for name, found in result.items() if found}
