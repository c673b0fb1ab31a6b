"""How people name school kinds, places and schools in a question, and what the chat looks for.

One table (KIND_WORDS) serves both the trained model and the action: training turns it into the
synonyms and the lookup table of the entity `school_kind` (schools/training.py), and the action
uses it when the model found no entity. Places and school names come from the region's own
directory, so a question is only ever matched against the schools of the region it is asked in.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional

from schools.model import Directory, School, folded

#: What people write -> what `schools.model.matches_kind` looks for. Longest words first when
#: matching, so "speciaal basisonderwijs" wins over "basisonderwijs".
KIND_WORDS: Dict[str, str] = {
    "basisschool": "bao",
    "basisscholen": "bao",
    "basisonderwijs": "bao",
    "bao": "bao",
    "speciaal basisonderwijs": "sbo",
    "speciale basisschool": "sbo",
    "speciale basisscholen": "sbo",
    "sbo": "sbo",
    "speciaal onderwijs": "(V)SO",
    "speciale school": "(V)SO",
    "speciale scholen": "(V)SO",
    "so": "so",
    "voortgezet speciaal onderwijs": "vso",
    "vso": "vso",
    "voortgezet onderwijs": "VO",
    "middelbare school": "VO",
    "middelbare scholen": "VO",
    "vo": "VO",
    "vmbo": "vmbo",
    "mavo": "vmbo-t",
    "vmbo-t": "vmbo-t",
    "vmbo tl": "vmbo-t",
    "havo": "havo",
    "vwo": "vwo",
    "gymnasium": "vwo",
    "atheneum": "vwo",
    "praktijkonderwijs": "pro",
    "pro": "pro",
    "primair onderwijs": "PO",
    "po": "PO",
}
#: How each kind is said in a reply.
KIND_NAMES = {
    "bao": "basisscholen",
    "sbo": "scholen voor speciaal basisonderwijs",
    "so": "scholen voor speciaal onderwijs",
    "vso": "scholen voor voortgezet speciaal onderwijs",
    "(V)SO": "scholen voor (voortgezet) speciaal onderwijs",
    "VO": "scholen voor voortgezet onderwijs",
    "PO": "scholen voor primair onderwijs",
    "vmbo": "vmbo-scholen",
    "vmbo-t": "scholen met vmbo-t (mavo)",
    "havo": "havo-scholen",
    "vwo": "vwo-scholen",
    "pro": "scholen voor praktijkonderwijs",
}
#: How a stored kind is described on one line.
KIND_LABELS = {
    "bao": "basisschool",
    "sbo": "speciaal basisonderwijs",
    "so": "speciaal onderwijs",
    "vso": "voortgezet speciaal onderwijs",
    "so/vso": "speciaal en voortgezet speciaal onderwijs",
    "vo": "voortgezet onderwijs",
}
#: KIND_WORDS as they are compared: folded (steunpunt's folding: lower case, no punctuation).
_FOLDED = {folded(word): kind for word, kind in KIND_WORDS.items()}


def kind_label(school: School) -> str:
    label = KIND_LABELS.get(school.kind, school.kind)
    if school.kind == "vo" and school.levels:
        return f"{label}: {', '.join(school.levels)}"
    return label


def canonical_kind(value: Optional[str]) -> Optional[str]:
    """An entity value or typed word as a kind `matches_kind` understands (None if unknown)."""
    if not value:
        return None
    if value in KIND_NAMES:
        return value
    return _FOLDED.get(folded(value))


def kind_in(text: str) -> Optional[str]:
    """The school kind a question names, longest wording first."""
    words = f" {folded(text)} "
    for surface in sorted(_FOLDED, key=len, reverse=True):  # whole words only: "so" is no "soms"
        if f" {surface} " in words:
            return _FOLDED[surface]
    return None


def place_in(text: str, directory: Directory) -> Optional[str]:
    """A place (plaats or gemeente) of the region's schools that the question names."""
    words = f" {folded(text)} "
    names = {s.place for s in directory.schools if s.place} | {
        s.gemeente for s in directory.schools if s.gemeente
    }
    for name in sorted(names, key=len, reverse=True):
        if f" {folded(name)} " in words:
            return name
    return None


#: Words in a school's name that say what kind of school it is, not which one.
_NAME_NOISE = {
    "basisschool",
    "school",
    "obs",
    "cbs",
    "pcbo",
    "rkbs",
    "sbo",
    "so",
    "vso",
    "de",
    "het",
    "een",
    "openbare",
    "christelijke",
    "katholieke",
    "protestants",
    "voor",
    "speciaal",
    "onderwijs",
    "basisonderwijs",
    "fictief",
    "fictieve",
    "college",
    "lyceum",
    "scholengemeenschap",
    "van",
    "praktijkschool",
    "praktijkonderwijs",
    "mavo",
    "vmbo",
    "gymnasium",
    "locatie",
    "en",
    "ibs",
    "sbs",
    "kindcentrum",
    "ikc",
}


def _noise(word: str) -> bool:
    """A word of a school's name that says its kind, not which school ("vmbo-school" too)."""
    return folded(word) in _NAME_NOISE or all(part in _NAME_NOISE for part in folded(word).split())


def short_names(school: School) -> List[str]:
    """The ways a parent may call a school: its full name, and the part of it that says which
    school it is ("De Regenboog" for "Fictieve basisschool De Regenboog")."""
    full = " ".join(school.name.split())
    names = [full]
    words = full.split()
    for start in range(1, len(words)):
        rest = words[start:]
        if _noise(words[start - 1]) and any(not _noise(w) for w in rest):
            names.append(" ".join(rest))
    return list(dict.fromkeys(names))


def schools_named(text: str, directory: Directory) -> List[School]:
    """Schools whose name (or the distinctive part of it) the question contains."""
    words = f" {folded(text)} "
    places = {folded(p) for s in directory.schools for p in (s.place, s.gemeente) if p}
    found = []
    for school in directory.schools:
        for name in short_names(school):
            distinctive = [w for w in folded(name).split() if w not in _NAME_NOISE]
            # "Soest" of "Gymnasium Soest" is a place first: "scholen in Soest" names no school
            if distinctive and folded(name) not in places and f" {folded(name)} " in words:
                found.append(school)
                break
    return found


_ASKED_NAME = re.compile(
    r"\b(?:heeft|hebben|van|over|bij|is)\s+"
    r"(?P<article>(?:de|het|obs|cbs|pcbo|rkbs|sbo|so|vso|basisschool|school)\s+)*"
    r"(?P<name>[\w'’-]+(?:\s+[\w'’-]+){0,3}?)"
    r"(?:\s+(?:een|al|ook|nog|wel|geen|eigen|sop|schoolondersteuningsprofiel|ondersteuningsprofiel|profiel)\b|\s*[?.!]*$)",
    re.IGNORECASE,
)
#: Words that ask about one school's own details (its SOP, website, address).
_ABOUT_ONE_SCHOOL = re.compile(
    r"\b(sop|(school)?ondersteuningsprofiel|website|adres|waar\s+(ligt|zit|staat))\b", re.IGNORECASE
)
#: Words that are never part of a school's name in such a question ("het sop van mijn school").
_NOT_A_NAME_PART = {
    "sop",
    "schoolondersteuningsprofiel",
    "ondersteuningsprofiel",
    "profiel",
    "van",
    "recht",
    "kind",
    "zoon",
    "dochter",
    "website",
    "adres",
} | {
    "mijn",
    "m'n",
    "mn",
    "onze",
    "ons",
    "jullie",
    "zijn",
    "haar",
    "hun",
    "deze",
    "die",
    "dit",
    "dat",
    "een",
    "ze",
    "zij",
    "hij",
    "ik",
    "je",
    "u",
}


def asked_name(text: str) -> Optional[str]:
    """The school name a question about one school asks for ("heeft de Zonnebloem een
    schoolondersteuningsprofiel?" -> "de Zonnebloem"), to say plainly that it is not known."""
    found = _ASKED_NAME.search((text or "").strip())
    if not found or not _ABOUT_ONE_SCHOOL.search(text or ""):
        return None
    name = found.group("name").strip(" ?.!,")
    parts = folded(name).split()
    if not parts or any(p in _NOT_A_NAME_PART for p in parts) or all(_noise(w) for w in name.split()):
        return None
    # a name is written with a capital, or after "de"/"het"/a school prefix ("de regenboog")
    if not (name[:1].isupper() or found.group("article")):
        return None
    if kind_in(name) and not any(w[:1].isupper() for w in name.split()):
        return None
    return name


def asks_about_one_school(text: str, directory: Callable[[], Optional[Directory]]) -> bool:
    """A question about one school's own details: its SOP, website or address, with the school
    named (one of the region's, or a name the region does not have). Such a question is about
    the school list whatever the classifier guessed: it gets that school, or "unknown".
    `directory` is called only when the words ask for details: this runs on every turn."""
    if not _ABOUT_ONE_SCHOOL.search(text or ""):
        return False
    found = directory()
    return bool((found is not None and schools_named(text, found)) or asked_name(text))
