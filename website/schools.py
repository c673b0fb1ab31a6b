"""What the school pages show: a school's type in words, the list filter, and which topic pages
link to the list.

Pure functions over `schools.model`, so the wording and the filter are tested without a server.
The filter is a plain GET form (`?plaats=Amersfoort&soort=vo`): it works without JavaScript, a
filtered list can be bookmarked or sent on, and an unknown value filters on nothing instead of
failing (a shared link with an old value still shows the whole list)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Tuple

from schools.model import Directory, School, folded, grouped, search
from website.pages import clean_query

#: The topic pages that link to the region's list: choosing a school, special education, and
#: the SOP (the list is where a parent finds each school's SOP).
SCHOOL_TOPICS = frozenset({"schoolkeuze", "speciaal-onderwijs", "schoolondersteuningsprofiel"})

#: Stored kind -> the words a parent reads.
KIND_WORDS = {
    "bao": "basisschool",
    "sbo": "speciaal basisonderwijs",
    "so": "speciaal onderwijs",
    "vso": "voortgezet speciaal onderwijs",
    "so/vso": "speciaal onderwijs en voortgezet speciaal onderwijs",
    "vo": "voortgezet onderwijs",
}
#: VO levels in words where the code alone is unclear to a parent.
LEVEL_WORDS = {"pro": "praktijkonderwijs"}

#: The group headings of the list: the short name parents meet in letters, and what it means.
GROUP_HEADINGS = {
    "PO": "PO: basisonderwijs",
    "VO": "VO: voortgezet onderwijs (middelbare school)",
    "(V)SO": "(V)SO: speciaal onderwijs",
}

#: The type filter: (value in the URL, label in the form, kind for `schools.model.search`, the
#: words in "3 scholen gevonden: ..."). Groups first, then the kinds and VO levels within them,
#: in the order of the list.
KIND_FILTERS: Tuple[Tuple[str, str, str, str], ...] = (
    ("po", "Basisonderwijs (PO), alle soorten", "PO", "basisonderwijs (PO)"),
    ("bao", "Basisschool", "bao", "basisschool"),
    ("sbo", "Speciaal basisonderwijs (sbo)", "sbo", "speciaal basisonderwijs"),
    ("vo", "Voortgezet onderwijs (VO), alle soorten", "VO", "voortgezet onderwijs (VO)"),
    ("pro", "Praktijkonderwijs", "pro", "praktijkonderwijs"),
    ("vmbo", "Vmbo", "vmbo", "vmbo"),
    ("havo", "Havo", "havo", "havo"),
    ("vwo", "Vwo", "vwo", "vwo"),
    ("vso-so", "Speciaal onderwijs ((V)SO), alle soorten", "(V)SO", "speciaal onderwijs ((V)SO)"),
    ("so", "Speciaal onderwijs (so)", "so", "speciaal onderwijs (so)"),
    ("vso", "Voortgezet speciaal onderwijs (vso)", "vso", "voortgezet speciaal onderwijs"),
)
_FILTER_KIND = {value: kind for value, _, kind, _ in KIND_FILTERS}
_FILTER_WORDS = {value: words for value, _, _, words in KIND_FILTERS}
MAX_FILTER_CHARS = 100


def kind_words(school: School) -> str:
    """ "basisschool", "speciaal onderwijs", "voortgezet onderwijs: vmbo-t, havo, vwo"."""
    words = KIND_WORDS.get(school.kind, school.kind)
    if school.kind == "vo" and school.levels:
        return f"{words}: " + ", ".join(LEVEL_WORDS.get(level, level) for level in school.levels)
    return words


def address(school: School) -> str:
    """Street, postcode and place on one line, leaving out what DUO did not give."""
    town = " ".join(part for part in (school.postcode, school.place) if part)
    return ", ".join(part for part in (school.street, town) if part)


def web_link(url: str) -> str:
    """A school's website as a link target: DUO gives most as "www.school.nl", so a bare host
    gets https://; anything that is not a web address (a "javascript:" or "mailto:" value in
    a row) gives no link at all."""
    url = (url or "").strip()
    if not url or any(ch.isspace() or ch in "<>\"'" for ch in url):
        return ""
    if re.match(r"https?://[^/]", url, re.IGNORECASE):
        return url
    if re.match(r"[a-z0-9-]+(\.[a-z0-9-]+)+(/|$)", url, re.IGNORECASE):
        return "https://" + url
    return ""


@dataclass(frozen=True)
class Filter:
    """The list's filter as chosen in the form: the place as listed (or "") and the type's URL
    value (or ""). Values that are not in the region's data are dropped, so the page only ever
    repeats a value it offered itself."""

    place: str = ""
    kind: str = ""
    #: A place asked for that has no school in the list (cleaned as a search query is), so the
    #: page can say so instead of quietly showing every school as if it were the answer.
    unknown_place: str = ""

    @property
    def active(self) -> bool:
        return bool(self.place or self.kind)

    @property
    def kind_words(self) -> str:
        return _FILTER_WORDS.get(self.kind, "")


def read_filter(directory: Directory, place: str, kind: str) -> Filter:
    """`?plaats=...&soort=...` as typed in the query string, matched to the region's places
    (ignoring case and accents, so `?plaats=amersfoort` works too) and to KIND_FILTERS."""
    asked = clean_query(place[:MAX_FILTER_CHARS])
    listed = next((p for p in directory.places() if folded(p) == folded(asked)), "") if asked else ""
    kind = kind.strip().lower()[:MAX_FILTER_CHARS]
    return Filter(
        place=listed,
        kind=kind if kind in _FILTER_KIND else "",
        unknown_place="" if listed or not folded(asked) else asked,
    )


def filtered(directory: Directory, chosen: Filter) -> Dict[str, List[School]]:
    """The schools the filter lets through, grouped PO, VO, (V)SO, sorted by place and name."""
    return grouped(search(directory, kind=_FILTER_KIND.get(chosen.kind), place=chosen.place or None))


def kind_options(directory: Directory) -> List[Tuple[str, str]]:
    """The type filter's options that find at least one school in this region (an option that
    always finds nothing only makes a parent wonder)."""
    return [(value, label) for value, label, kind, _ in KIND_FILTERS if search(directory, kind=kind)]


def count_text(count: int) -> str:
    return "1 school" if count == 1 else f"{count} scholen"
