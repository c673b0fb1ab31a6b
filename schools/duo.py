"""Reading DUO's open data as DUO publishes it, and choosing one region's schools from it.

Why a reader of its own, this forgiving about form and this strict about content: DUO's files
(docs/schools.md, "DUO's files") have changed their column names over the years (`BRIN NUMMER`,
`BRINNUMMER`, `INSTELLINGSCODE`; a `VESTIGINGSNAAM ` with a trailing space), are served in
Windows-1252 by duo.nl and as UTF-8 by the newer portal, with `;` or `,` between fields. A
steunpunt downloads them once a month and should not have to edit them first. So:

- every file's encoding (UTF-8, with or without BOM, else Windows-1252) and separator (`;`, `,`
  or tab, from the header line) are detected, and column names are compared in upper case
  without spaces, underscores, hyphens and dots;
- what a file is, is seen from its columns, not its name: a location file (BRIN and name and
  place; VO when it has ONDERWIJSSTRUCTUUR), a samenwerkingsverband file (a swv code column
  such as ADMINISTRATIENUMMER, with BRIN), or a boards file (bevoegd gezag number and name);
- a row that is wrong (no valid BRIN, no name, a field too many, an unknown kind) is reported
  with its file and line and left out; a file that is not a DUO file at all (a web page saved
  instead of the CSV, a spreadsheet, an empty file, unknown columns) stops the whole import with
  `DuoFileError` before anything is written, so a region never gets half a directory.

The region's schools are chosen by samenwerkingsverband code (DUO's file of schools per swv) or by
a list of BRIN and location codes; never all of the country. Nothing here writes: `build` returns
a `model.Directory` and the command line (`schools/__main__.py`) saves it with `model.save`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from schools.model import LEVELS, Directory, School
from steunpunt import clock

#: A file larger than this is not one of DUO's address files (the largest, all locations of
#: basisonderwijs, is a few MB): refused before reading, so a wrong download cannot fill memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Changes when the importer maps DUO's data differently, so set-up's `--if-changed` imports again.
IMPORTER_VERSION = "1"

BRIN = re.compile(r"[0-9]{2}[A-Z0-9]{2}")
LOCATION = re.compile(r"[0-9]{2}[A-Z0-9]{2}[0-9]{2}")
_SWV_CODE = re.compile(r"(PO|VO)?\s*[-.]?\s*([0-9]{1,2})\s*[-.]?\s*([0-9]{1,2})")
_POSTCODE = re.compile(r"([1-9][0-9]{3})\s*([A-Z]{2})")
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]+)?")


class DuoFileError(ValueError):
    """A file that cannot be read as one of DUO's files at all: the import stops, nothing is
    written. The message names the file and says what to do."""


class ImportRefused(ValueError):
    """The files were read, but what they give cannot be the region's directory (no schools of
    the region, an swv code that is in no file): nothing is written."""


@dataclass(frozen=True)
class Problem:
    """A row left out (or, as a note, kept with something ignored), where it is in its file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}, regel {self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"
        )


# --- columns -------------------------------------------------------------------------------------
def column_key(name: str) -> str:
    """A column name as compared: upper case, without BOM, spaces, underscores, hyphens, dots."""
    return re.sub(r"[\s_\-.\ufeff\"]+", "", name).upper()


#: Each field and the column names DUO used for it over the years (as column_key makes them),
#: the preferred first.
COLUMNS: Dict[str, Tuple[str, ...]] = {
    "brin": ("BRINNUMMER", "INSTELLINGSCODE", "BRIN", "BRINCODE"),
    "location": ("VESTIGINGSNUMMER", "VESTIGINGSCODE", "VESTIGINSNUMMER", "VESTIGINGSNR"),
    "name": ("VESTIGINGSNAAM", "INSTELLINGSNAAMVESTIGING", "INSTELLINGSNAAM", "NAAM"),
    "street": ("STRAATNAAM", "STRAAT"),
    "number": ("HUISNUMMERTOEVOEGING", "HUISNUMMER"),
    "addition": ("TOEVOEGING", "HUISNUMMERTOEVOEGINGEN"),
    "postcode": ("POSTCODE",),
    "place": ("PLAATSNAAM", "PLAATS", "VESTIGINGSPLAATS"),
    "gemeente": ("GEMEENTENAAM", "GEMEENTE"),
    "denomination": ("DENOMINATIE",),
    "board_number": ("BEVOEGDGEZAGNUMMER", "BEVOEGDGEZAG"),
    "board_name": ("BEVOEGDGEZAGNAAM", "BESTUURSNAAM", "NAAMBEVOEGDGEZAG"),
    "website": ("INTERNETADRES", "WEBSITE", "URL"),
    "structure": ("ONDERWIJSSTRUCTUUR",),
    "kind": (
        "SOORTPRIMAIRONDERWIJS",
        "SOORTPO",
        "TYPEPO",
        "SOORTINSTELLING",
        "SOORTONDERWIJS",
        "ONDERWIJSSOORT",
    ),
    "swv": (
        "ADMINISTRATIENUMMER",
        "SWVCODE",
        "CODESWV",
        "SAMENWERKINGSVERBANDCODE",
        "CODESAMENWERKINGSVERBAND",
        "SAMENWERKINGSVERBANDNUMMER",
        "SWVNUMMER",
        "SWV",
    ),
}


def _columns(header: Sequence[str]) -> Dict[str, int]:
    keys = [column_key(name) for name in header]
    found: Dict[str, int] = {}
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in keys:
                found[name] = keys.index(alias)
                break
    return found


# --- values --------------------------------------------------------------------------------------
_KINDS = {
    "BO": "bao",
    "BAO": "bao",
    "BASISONDERWIJS": "bao",
    "SBO": "sbo",
    "SPECIAALBASISONDERWIJS": "sbo",
    "SO": "so",
    "SPECIAALONDERWIJS": "so",
    "VSO": "vso",
    "VOORTGEZETSPECIAALONDERWIJS": "vso",
    "SOVSO": "so/vso",
    "SOENVSO": "so/vso",
    "VSOSO": "so/vso",
    "(V)SO": "so/vso",
    "SPECIAALENVOORTGEZETSPECIAALONDERWIJS": "so/vso",
    "(VOORTGEZET)SPECIAALONDERWIJS": "so/vso",
}


def kind_of(value: str) -> Optional[str]:
    """DUO's kind of a PO school ("SBO", "SO/VSO", "Speciaal basisonderwijs") as stored."""
    key = re.sub(r"[\s/+,&\-]+", "", value.upper())
    return _KINDS.get(key) or _KINDS.get(key.replace("(", "").replace(")", ""))


#: DUO's ONDERWIJSSTRUCTUUR parts and the stored levels. DUO names the old school types: VBO is
#: vmbo basis and kader, MAVO the theoretical track; a bare VMBO says no more than vmbo, so it
#: gets all four tracks (the school's own site says which it offers).
_LEVELS: Dict[str, Tuple[str, ...]] = {
    "PRO": ("pro",),
    "PRAKTIJKONDERWIJS": ("pro",),
    "VBO": ("vmbo-b", "vmbo-k"),
    "MAVO": ("vmbo-t",),
    "VMBO": ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t"),
    "VMBO-B": ("vmbo-b",),
    "VMBO-BB": ("vmbo-b",),
    "BB": ("vmbo-b",),
    "VMBO-K": ("vmbo-k",),
    "VMBO-KB": ("vmbo-k",),
    "KB": ("vmbo-k",),
    "VMBO-G": ("vmbo-g",),
    "VMBO-GL": ("vmbo-g",),
    "GL": ("vmbo-g",),
    "VMBO-T": ("vmbo-t",),
    "VMBO-TL": ("vmbo-t",),
    "TL": ("vmbo-t",),
    "VMBO-GT": ("vmbo-g", "vmbo-t"),
    "GT": ("vmbo-g", "vmbo-t"),
    "HAVO": ("havo",),
    "VWO": ("vwo",),
    "ATHENEUM": ("vwo",),
    "GYMNASIUM": ("vwo",),
}
#: Parts that are no level of their own (support, newcomers, adult education): skipped quietly.
_NOT_LEVELS = {"LWOO", "ISK", "KOVO", "VAVO", "OPDC", "INTERNATIONAAL", "TTO"}


def levels_of(structure: str) -> Tuple[Tuple[str, ...], List[str]]:
    """ONDERWIJSSTRUCTUUR ("VMBO/HAVO/VWO", "VBO/MAVO") as levels in model.LEVELS order, and the
    parts that were not understood."""
    found: Set[str] = set()
    unknown: List[str] = []
    for part in re.split(r"[/,;+]|\s+EN\s+", structure.upper()):
        token = re.sub(r"\s+", "", part).replace("_", "-")
        if not token or token in _NOT_LEVELS:
            continue
        if token in _LEVELS:
            found.update(_LEVELS[token])
        else:
            unknown.append(part.strip())
    return tuple(level for level in LEVELS if level in found), unknown


def swv_key(code: str) -> Optional[Tuple[str, str]]:
    """A samenwerkingsverband code in any of its spellings ("PO 20-01", "PO20.01", "20-01") as
    (sector or "", "2001"); None when it is not one."""
    match = _SWV_CODE.fullmatch(code.strip().upper())
    if not match:
        return None
    return (match.group(1) or "", f"{int(match.group(2)):02d}{int(match.group(3)):02d}")


def swv_matches(key: Tuple[str, str], wanted: Tuple[str, str]) -> bool:
    return key[1] == wanted[1] and (not key[0] or not wanted[0] or key[0] == wanted[0])


def swv_label(key: Tuple[str, str]) -> str:
    return f"{key[0] + ' ' if key[0] else ''}{key[1][:2]}-{key[1][2:]}"


_LOWER_WORDS = {
    "aan",
    "den",
    "de",
    "der",
    "op",
    "bij",
    "in",
    "het",
    "ter",
    "ten",
    "van",
    "over",
    "onder",
    "en",
}


def place_case(value: str) -> str:
    """DUO writes places in capitals ("AMERSFOORT", "'S-HERTOGENBOSCH"); shown as people write
    them ("Amersfoort", "'s-Hertogenbosch", "Capelle aan den IJssel"). Mixed case stays."""
    if not value.isupper():
        return value
    words = re.split(r"([ \-])", value.lower())
    out = []
    for index, word in enumerate(words):
        if word in (" ", "-") or not word or word in ("'s", "'t") or (index > 0 and word in _LOWER_WORDS):
            out.append(word)
        elif word.startswith("ij"):
            out.append("IJ" + word[2:])
        else:
            out.append(word[0].upper() + word[1:])
    return "".join(out)


def postcode_of(value: str) -> str:
    match = _POSTCODE.fullmatch(value.strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else value.strip()


def website_of(value: str) -> str:
    """DUO's INTERNETADRES ("www.school.nl", "http://school.nl/") as a link, "" when it is none."""
    value = value.strip()
    if not value:
        return ""
    scheme, _, rest = value.partition("://")
    if not rest:
        scheme, rest = "https", value
    if scheme.lower() not in ("http", "https"):
        return ""
    host, _, path = rest.partition("/")
    if not _HOST.fullmatch(host.lower()) or re.search(r"[\s<>\"']", path):
        return ""
    return f"{scheme.lower()}://{host.lower()}{'/' + path if path else ''}"


# --- reading a file ------------------------------------------------------------------------------
def decode(raw: bytes, name: str) -> Tuple[str, str]:
    """The text of a file and which encoding it had; DuoFileError when it is no text file."""
    if not raw.strip():
        raise DuoFileError(f"{name}: het bestand is leeg (empty file)")
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise DuoFileError(
            f"{name}: dit is een Excel- of zip-bestand, geen CSV; download bij DUO de CSV-versie "
            "(a spreadsheet or zip, not a CSV)"
        )
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), "UTF-16"
            except UnicodeDecodeError:
                break
    if b"\x00" in raw[:65536]:
        raise DuoFileError(f"{name}: dit is geen tekstbestand (binary file, not a CSV)")
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 (met BOM)"
        except UnicodeDecodeError:
            raise DuoFileError(f"{name}: begint als UTF-8 maar is het niet (broken UTF-8)") from None
    try:
        return raw.decode("utf-8"), "UTF-8" if not raw.isascii() else "ASCII"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def _looks_like_html(text: str) -> bool:
    start = text.lstrip()[:300].lower()
    return start.startswith(("<!doctype", "<html", "<?xml", "<head", "<body", "<!--")) or (
        start.startswith("<") and "<html" in text[:4096].lower()
    )


def separator(header_line: str) -> Optional[str]:
    """The field separator of a CSV, from its header line: the most frequent of ; , and tab."""
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else None


@dataclass
class _Location:
    location: str
    brin: str
    name: str
    kind: Optional[str]  # None: a (v)so file without a kind column, resolved by BRIN later
    street: str
    postcode: str
    place: str
    gemeente: str
    levels: Tuple[str, ...]
    denomination: str
    board_number: str
    board_name: str
    website: str
    file: str
    line: int


@dataclass(frozen=True)
class _Member:
    swv: Tuple[str, str]
    brin: str
    location: str  # "" when the swv file names the school (BRIN) only: all its locations
    file: str
    line: int


@dataclass
class DuoData:
    """What a set of DUO files gives, before the region's schools are chosen."""

    files: List[str] = field(default_factory=list)
    locations: Dict[str, _Location] = field(default_factory=dict)
    members: List[_Member] = field(default_factory=list)
    boards: Dict[str, str] = field(default_factory=dict)
    #: Rows left out, with file and line.
    skipped: List[Problem] = field(default_factory=list)
    #: Rows kept with something ignored (an unknown level, a website that is no address).
    notes: List[Problem] = field(default_factory=list)
    #: Per file: what it was recognised as, its encoding and separator (for the report).
    described: List[str] = field(default_factory=list)


def _file_hint(name: str) -> Optional[str]:
    """bo or (v)so from DUO's file name, for a PO location file without a kind column."""
    stem = name.lower()
    if re.search(r"(^|[^a-z])(sbo|so|vso|wec)([^a-z]|$)", stem) or "speciaal" in stem:
        return "special"
    if "bo" in stem or "basisonderwijs" in stem:
        return "bao"
    return None


def _location_code(brin: str, value: Optional[str]) -> Optional[str]:
    """BRIN and DUO's vestigingsnummer ("16AH00", "00", "0", or no column: the main location)."""
    if value is None:
        return brin + "00"
    value = value.strip().upper().replace(" ", "")
    if LOCATION.fullmatch(value) and value.startswith(brin):
        return value
    if value.isdigit() and 1 <= len(value) <= 2:
        return brin + value.zfill(2)
    return None


def _location_problem(brin: str, value: Optional[str]) -> str:
    if not (value or "").strip():
        return f"{brin}: het vestigingsnummer ontbreekt"
    return f"vestigingsnummer '{value}' hoort niet bij BRIN {brin}"


def read_file(path: Path, data: DuoData) -> None:
    """Read one of DUO's files into `data`; DuoFileError when it cannot be read at all."""
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DuoFileError(f"{path}: bestand niet gevonden (file not found)") from None
    except OSError as error:
        raise DuoFileError(f"{path}: kan niet gelezen worden ({error.strerror})") from None
    if not path.is_file():
        raise DuoFileError(f"{path}: is geen bestand (not a file)")
    if size > MAX_FILE_BYTES:
        raise DuoFileError(
            f"{name}: {size // (1024 * 1024)} MB is te groot voor een adressenbestand van DUO "
            f"(at most {MAX_FILE_BYTES // (1024 * 1024)} MB)"
        )
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DuoFileError(f"{path}: kan niet gelezen worden ({error.strerror})") from None
    text, encoding = decode(raw, name)
    if _looks_like_html(text):
        raise DuoFileError(
            f"{name}: dit is een webpagina, geen CSV; de link gaf een pagina in plaats van het "
            "bestand, download het opnieuw (an HTML page, not a CSV)"
        )
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    sep = separator(first_line)
    if sep is None:
        raise DuoFileError(f"{name}: geen kolommen gevonden; is dit een CSV met ; of , ? (no columns)")
    records: List[Tuple[int, List[str]]] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=sep)
    try:
        end = 0
        for row in reader:
            records.append((end + 1, row))  # the line the record starts on (a quoted field may span lines)
            end = reader.line_num
    except csv.Error as error:
        raise DuoFileError(f"{name}, regel {end + 1}: geen geldige CSV ({error})") from None
    header = [cell.strip() for cell in records[0][1]]
    columns = _columns(header)
    body = [(line, row) for line, row in records[1:] if any(cell.strip() for cell in row)]
    if not body:
        raise DuoFileError(f"{name}: alleen een kopregel, geen scholen (no rows)")
    shown_sep = {";": "puntkomma", ",": "komma", "\t": "tab"}[sep]
    if "swv" in columns and "brin" in columns:
        what = "scholen per samenwerkingsverband"
        read_row = _read_member
    elif "brin" in columns and "name" in columns and "place" in columns:
        if "structure" in columns:
            what, default_kind = "vestigingen vo", "vo"
        elif "kind" in columns:
            what, default_kind = "vestigingen po/(v)so (met soort)", ""
        else:
            hint = _file_hint(name)
            if hint is None:
                raise DuoFileError(
                    f"{name}: heeft geen kolom met de soort school en de naam zegt niet of het "
                    "basisonderwijs (bo) of speciaal onderwijs (sbo/so/vso) is; gebruik DUO's "
                    "bestandsnaam (cannot tell bo from (v)so)"
                )
            what, default_kind = (
                ("vestigingen bo", "bao") if hint == "bao" else ("vestigingen (s)bo/(v)so", "")
            )
        read_row = _location_reader(default_kind)
    elif "board_number" in columns and "board_name" in columns:
        what = "besturen"
        read_row = _read_board
    else:
        raise DuoFileError(
            f"{name}: de kolommen zijn niet die van een DUO-bestand met adressen, besturen of "
            "scholen per samenwerkingsverband (verwacht o.a. BRIN NUMMER of INSTELLINGSCODE, "
            "VESTIGINGSNAAM, PLAATSNAAM, of ADMINISTRATIENUMMER); gevonden: "
            + ", ".join(header[:8])
            + (" ..." if len(header) > 8 else "")
            + " (unknown columns)"
        )
    data.files.append(name)
    data.described.append(f"{name}: {what}, {len(body)} rijen, {encoding}, {shown_sep}")
    for line, row in body:
        if len(row) != len(header) and not (
            len(row) > len(header) and not any(c.strip() for c in row[len(header) :])
        ):
            data.skipped.append(Problem(name, line, f"{len(row)} velden in plaats van {len(header)}"))
            continue
        values = {key: row[index].strip() for key, index in columns.items()}
        read_row(values, name, line, data)


def _valid_brin(values: Dict[str, str], file: str, line: int, data: DuoData) -> Optional[str]:
    brin = values.get("brin", "").upper().replace(" ", "")
    if not BRIN.fullmatch(brin):
        shown = brin or "(leeg)"
        data.skipped.append(Problem(file, line, f"BRIN '{shown}' is geen BRIN-nummer (4 tekens, zoals 12AB)"))
        return None
    return brin


def _location_reader(default_kind: str):
    def read(values: Dict[str, str], file: str, line: int, data: DuoData) -> None:
        brin = _valid_brin(values, file, line, data)
        if brin is None:
            return
        location = _location_code(brin, values.get("location"))
        if location is None:
            data.skipped.append(Problem(file, line, _location_problem(brin, values.get("location"))))
            return
        name = " ".join(values.get("name", "").split())
        if not name:
            data.skipped.append(Problem(file, line, f"{location}: de naam ontbreekt"))
            return
        place = place_case(" ".join(values.get("place", "").split()))
        if not place:
            data.skipped.append(Problem(file, line, f"{location}: de plaatsnaam ontbreekt"))
            return
        kind: Optional[str] = default_kind or None
        if "kind" in values and default_kind != "vo":
            kind = kind_of(values["kind"])
            if kind is None:
                data.skipped.append(
                    Problem(
                        file,
                        line,
                        f"{location}: soort '{values['kind']}' onbekend (verwacht BO, SBO, SO of VSO)",
                    )
                )
                return
        levels: Tuple[str, ...] = ()
        if kind == "vo":
            levels, unknown = levels_of(values.get("structure", ""))
            if unknown:
                data.notes.append(
                    Problem(
                        file,
                        line,
                        f"{location}: onderwijsstructuur {', '.join(unknown)} niet herkend, overgeslagen",
                    )
                )
        website = website_of(values.get("website", ""))
        if values.get("website") and not website:
            data.notes.append(
                Problem(file, line, f"{location}: internetadres '{values['website']}' is geen webadres")
            )
        street = " ".join(
            part
            for part in (values.get("street", ""), values.get("number", ""), values.get("addition", ""))
            if part
        )
        found = _Location(
            location=location,
            brin=brin,
            name=name,
            kind=kind,
            street=" ".join(street.split()),
            postcode=postcode_of(values.get("postcode", "")),
            place=place,
            gemeente=place_case(" ".join(values.get("gemeente", "").split())),
            levels=levels,
            denomination=values.get("denomination", ""),
            board_number=values.get("board_number", ""),
            board_name=values.get("board_name", ""),
            website=website,
            file=file,
            line=line,
        )
        earlier = data.locations.get(location)
        if earlier is None:
            data.locations[location] = found
        elif earlier.file == file:
            data.skipped.append(Problem(file, line, f"{location} staat al op regel {earlier.line}"))
        else:  # the same school in a main-locations file and an all-locations file: one school
            for attribute in (
                "kind",
                "street",
                "postcode",
                "gemeente",
                "denomination",
                "board_number",
                "website",
            ):
                if not getattr(earlier, attribute) and getattr(found, attribute):
                    setattr(earlier, attribute, getattr(found, attribute))
            earlier.levels = earlier.levels or found.levels
            earlier.board_name = earlier.board_name or found.board_name

    return read


def _read_member(values: Dict[str, str], file: str, line: int, data: DuoData) -> None:
    key = swv_key(values.get("swv", ""))
    if key is None:
        data.skipped.append(
            Problem(
                file,
                line,
                f"'{values.get('swv', '')}' is geen code van een samenwerkingsverband (zoals PO 20-01)",
            )
        )
        return
    brin = _valid_brin(values, file, line, data)
    if brin is None:
        return
    location = ""
    if values.get("location"):
        code = _location_code(brin, values["location"])
        if code is None:
            data.skipped.append(Problem(file, line, _location_problem(brin, values["location"])))
            return
        location = code
    data.members.append(_Member(key, brin, location, file, line))


def _read_board(values: Dict[str, str], file: str, line: int, data: DuoData) -> None:
    number, name = values.get("board_number", ""), " ".join(values.get("board_name", "").split())
    if not number.isdigit() or not name:
        data.skipped.append(Problem(file, line, "bevoegd gezag zonder nummer of naam"))
        return
    data.boards[number] = name


def read_files(paths: Iterable[Path]) -> DuoData:
    """All files read, or DuoFileError for the first that cannot be (then nothing is used)."""
    data = DuoData()
    for path in paths:
        read_file(Path(path), data)
    if not data.files:
        raise DuoFileError("geen bestanden gegeven (no files)")
    return data


def read_codes(path: Path) -> Set[str]:
    """A list of BRIN (4) and location (6) codes, one a line; '#' starts a comment."""
    try:
        text, _ = decode(path.read_bytes(), path.name)
    except FileNotFoundError:
        raise DuoFileError(f"{path}: bestand niet gevonden (file not found)") from None
    except OSError as error:
        raise DuoFileError(f"{path}: kan niet gelezen worden ({error.strerror})") from None
    codes: Set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0].strip().upper().replace(" ", "")
        if not code:
            continue
        if not (BRIN.fullmatch(code) or LOCATION.fullmatch(code)):
            raise DuoFileError(
                f"{path.name}, regel {number}: '{code}' is geen BRIN (12AB) of vestigingscode (12AB00)"
            )
        codes.add(code)
    if not codes:
        raise DuoFileError(f"{path.name}: geen codes gevonden (no codes)")
    return codes


# --- choosing the region's schools ---------------------------------------------------------------
@dataclass
class Result:
    """An import's outcome: the directory to save and what was left out or noted."""

    directory: Directory
    data: DuoData
    #: Rows left out (data.skipped) and schools of the region left out while choosing.
    skipped: List[Problem]
    notes: List[Problem]


def choose(
    data: DuoData,
    swv_codes: Sequence[str] = (),
    codes: Iterable[str] = (),
) -> Tuple[List[School], List[Problem], List[Problem]]:
    """The region's schools: in one of the samenwerkingsverbanden `swv_codes` (by DUO's file of
    schools per swv) or listed in `codes` (BRIN: all its locations; location code: that one).
    Returns (schools, skipped, notes). ImportRefused when the choice cannot be right."""
    wanted: List[Tuple[str, str]] = []
    for code in swv_codes:
        key = swv_key(code)
        if key is None:
            raise ImportRefused(f"'{code}' is geen code van een samenwerkingsverband (zoals PO 20-01)")
        wanted.append(key)
    listed = {code.upper() for code in codes}
    if not wanted and not listed:
        raise ImportRefused(
            "kies de scholen van de regio: --swv 'PO 20-01' (of swv_code_po/swv_code_vo in regio.yml) "
            "of --codes BESTAND; nooit alle scholen van het land"
        )
    if wanted and not data.members:
        raise ImportRefused(
            "--swv vraagt ook DUO's bestand 'Scholen per samenwerkingsverband' (met ADMINISTRATIENUMMER)"
        )
    for key in wanted:
        if not any(swv_matches(member.swv, key) for member in data.members):
            raise ImportRefused(f"samenwerkingsverband {swv_label(key)} komt in geen van de bestanden voor")
    members = [member for member in data.members if any(swv_matches(member.swv, key) for key in wanted)]
    by_location = {member.location for member in members if member.location}
    by_brin = {member.brin for member in members if not member.location}
    listed_brins = {code for code in listed if len(code) == 4}
    kind_by_brin = {loc.brin: loc.kind for loc in data.locations.values() if loc.kind}
    schools: List[School] = []
    skipped: List[Problem] = []
    found_brins: Set[str] = set()
    for loc in sorted(data.locations.values(), key=lambda found: found.location):
        if not (
            loc.location in by_location
            or loc.brin in by_brin
            or loc.location in listed
            or loc.brin in listed_brins
        ):
            continue
        kind = loc.kind or kind_by_brin.get(loc.brin)
        if kind is None:
            skipped.append(
                Problem(
                    loc.file,
                    loc.line,
                    f"{loc.location}: soort (sbo, so of vso) onbekend; geef ook DUO's bestand met "
                    "hoofdvestigingen (s)bo/(v)so (met de soort) mee",
                )
            )
            continue
        found_brins.add(loc.brin)
        board = data.boards.get(loc.board_number) or loc.board_name or loc.board_number
        schools.append(
            School(
                location=loc.location,
                brin=loc.brin,
                name=loc.name,
                kind=kind,
                street=loc.street,
                postcode=loc.postcode,
                place=loc.place,
                gemeente=loc.gemeente,
                levels=loc.levels if kind == "vo" else (),
                denomination=loc.denomination,
                board=board,
                website=loc.website,
            )
        )
    kept = {school.location for school in schools}
    notes = [
        Problem(member.file, member.line, f"{member.location or member.brin} staat niet in de adresbestanden")
        for member in members
        if (member.location and member.location not in data.locations)
        or (not member.location and not any(loc.brin == member.brin for loc in data.locations.values()))
    ]
    notes += [
        Problem("--codes", 0, f"{code} staat niet in de adresbestanden")
        for code in sorted(listed)
        if code not in kept and code not in found_brins
    ]
    if not schools:
        raise ImportRefused("geen enkele school van de regio gevonden; de scholenlijst blijft zoals hij was")
    return schools, skipped, notes


def build(
    region: str,
    paths: Sequence[Path],
    swv_codes: Sequence[str] = (),
    codes: Iterable[str] = (),
    source: str = "",
) -> Result:
    """Read DUO's files and make the region's directory (not saved: see model.save). The import
    date is today by steunpunt.clock, so tests and a frozen process get their own day."""
    data = read_files(paths)
    schools, skipped, notes = choose(data, swv_codes, codes)
    directory = Directory(
        region=region,
        imported_on=clock.today(),
        source=source or f"DUO open onderwijsdata ({', '.join(data.files)})",
        schools=tuple(schools),
    )
    return Result(directory, data, data.skipped + skipped, data.notes + notes)


def fingerprint(paths: Sequence[Path], swv_codes: Sequence[str], codes: Iterable[str], source: str) -> str:
    """What an import was made of: set-up imports again only when this changes."""
    digest = hashlib.sha256(f"{IMPORTER_VERSION}|{sorted(swv_codes)}|{sorted(codes)}|{source}".encode())
    for path in paths:
        digest.update(Path(path).name.encode() + b"\0")
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()[:32]
